import Foundation
import JobsServer

exit(await CommandLineTool.main(Array(CommandLine.arguments.dropFirst())))
