import HTTPServer
import Testing

struct HTTPHeadersTests {
    @Test func lookupIgnoresASCIICaseAndReturnsTheFirstValue() {
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("content-type", "text/plain")])
        #expect(headers["CONTENT-TYPE"] == "application/json")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["Content-Length"] == nil)
        #expect(headers.values(for: "Content-type") == ["application/json", "text/plain"])
    }

    @Test func lookupDoesNotFoldNonASCIILetters() {
        let headers = HTTPHeaders([("X-Straße", "1")])
        #expect(headers["x-straße"] == "1")
        #expect(headers["X-STRASSE"] == nil)
    }

    @Test func addKeepsEveryFieldInOrder() {
        var headers = HTTPHeaders()
        headers.add(name: "X-A", value: "1")
        headers.add(name: "X-B", value: "2")
        headers.add(name: "x-a", value: "3")
        #expect(headers.map(\.name) == ["X-A", "X-B", "x-a"])
        #expect(headers.map(\.value) == ["1", "2", "3"])
        #expect(headers.count == 3)
    }

    @Test func replaceOrAddReplacesTheFirstAndDropsTheOthers() {
        var headers = HTTPHeaders([("X-A", "1"), ("X-B", "2"), ("x-a", "3")])
        headers.replaceOrAdd(name: "x-A", value: "9")
        #expect(headers.map(\.name) == ["X-A", "X-B"])
        #expect(headers.map(\.value) == ["9", "2"])

        headers.replaceOrAdd(name: "X-C", value: "4")
        #expect(headers.map(\.name) == ["X-A", "X-B", "X-C"])
    }

    @Test func descriptionNamesFieldsButNeverValues() {
        let headers: HTTPHeaders = ["Authorization": "Bearer secret"]
        #expect(headers.description == "HTTPHeaders(Authorization)")
    }
}
