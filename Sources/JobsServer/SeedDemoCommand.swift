import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Logging

/// `fineract-jobs seed-demo`: creates demo tenants with Fineract data on the configured database.
enum SeedDemoCommand {
    static let usage = """
        usage: fineract-jobs seed-demo [--tenants a,b] [--clients N] [--loans N] [--savings N] [--days N]
                                       [--business-date yyyy-MM-dd]
        """

    static func run(_ arguments: [String]) async -> Int32 {
        let options: DemoDataSeeder.Options
        let configuration: ServiceConfiguration
        do {
            options = try self.parse(arguments)
            configuration = try ServiceConfiguration.fromEnvironment()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n\(self.usage)\n".utf8))
            return 2
        }
        let logger = Logger(
            label: "fineract-jobs",
            level: configuration.logLevel,
            handler: StreamLogHandler(format: configuration.logFormat)
        )
        do {
            let clock = ContinuousClock()
            let started = clock.now
            let summary = try await CommandLineTool.withMigratedDatabase(configuration: configuration, logger: logger) {
                try await DemoDataSeeder(pool: $0, logger: logger).seed(options)
            }
            print(
                """
                seeded tenants: \(summary.seededTenants.joined(separator: ", "))\
                \(summary.skippedTenants.isEmpty ? "" : " (already seeded: \(summary.skippedTenants.joined(separator: ", ")))")
                clients \(summary.clients), savings accounts \(summary.savingsAccounts), \
                savings transactions \(summary.savingsTransactions), loans \(summary.loans), \
                schedule rows \(summary.scheduleRows), in \(clock.now - started)
                """
            )
            return 0
        } catch {
            logger.critical("seeding failed", metadata: [.error: "\(String(reflecting: error))"])
            return 1
        }
    }

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ arguments: [String]) throws -> DemoDataSeeder.Options {
        var values: [String: String] = [:]
        var index = 0
        let known = ["--tenants", "--clients", "--loans", "--savings", "--days", "--business-date"]
        while index < arguments.count {
            let name = arguments[index]
            guard known.contains(name), index + 1 < arguments.count else {
                throw UsageError(description: "unknown or incomplete option '\(name)'")
            }
            values[name] = arguments[index + 1]
            index += 2
        }
        var businessDate = LocalDate(dayNumber: Int(Date().timeIntervalSince1970 / 86_400))
        if let text = values["--business-date"] {
            guard let date = LocalDate(text) else {
                throw UsageError(description: "--business-date: '\(text)' is not a date written yyyy-MM-dd")
            }
            businessDate = date
        }
        var options = DemoDataSeeder.Options(businessDate: businessDate)
        if let tenants = values["--tenants"] {
            options.tenantIDs = tenants.split(separator: ",").map(String.init)
            guard !options.tenantIDs.isEmpty, options.tenantIDs.allSatisfy(TenantID.isWellFormed) else {
                throw UsageError(description: "--tenants: a comma-separated list of tenant ids")
            }
        }
        func count(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = values[name] else { return nil }
            guard let number = Int(text), range.contains(number) else {
                throw UsageError(description: "\(name): a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        options.clientsPerTenant = try count("--clients", 1...10_000_000) ?? options.clientsPerTenant
        options.loansPerTenant = try count("--loans", 0...10_000_000) ?? options.loansPerTenant
        options.savingsAccountsPerTenant = try count("--savings", 0...10_000_000) ?? options.savingsAccountsPerTenant
        options.historyDays = try count("--days", 2...3_650) ?? options.historyDays
        return options
    }
}
