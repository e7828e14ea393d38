import Foundation
import JobsCore
import Testing

struct JobDefinitionDecoderTests {
    let decoder = JobDefinitionDecoder(knownJobTypes: [.systemHealthCheck, .loanCOB]) { text in
        text == "bad" ? "minute: not a number" : nil
    }

    @Test func fillsDefaultsForAMinimalJob() throws {
        let definition = try self.decoder.decode(["name": "  Nightly  ", "jobType": "loan_cob"])
        #expect(definition.name == "Nightly")
        #expect(definition.jobType == .loanCOB)
        #expect(definition.priority == .medium)
        #expect(definition.maxRetries == JobDefinition.defaultMaxRetries)
        #expect(definition.timeoutSeconds == JobDefinition.defaultTimeoutSeconds)
        #expect(definition.misfirePolicy == .fireOnce)
        #expect(definition.tenantID == nil)
        #expect(definition.parameters.isEmpty)
    }

    @Test func readsEveryField() throws {
        let definition = try self.decoder.decode([
            "name": "COB", "description": "nightly", "jobType": "loan_cob", "cronExpression": "0 0 1 * * ?",
            "timezone": "Africa/Nairobi", "priority": "critical", "parameters": .object(["catchUp": .bool(true)]),
            "maxRetries": 0, "timeoutSeconds": 7200, "tenantId": "bank-1", "misfirePolicy": "catch_up",
            "allowOverlap": true, "startAt": "2026-01-01T00:00:00Z",
        ])
        #expect(definition.cronExpression == "0 0 1 * * ?")
        #expect(definition.timezone == "Africa/Nairobi")
        #expect(definition.priority == .critical)
        #expect(definition.parameters["catchUp"] == .bool(true))
        #expect(definition.maxRetries == 0)
        #expect(definition.timeoutSeconds == 7200)
        #expect(definition.tenantID == "bank-1")
        #expect(definition.misfirePolicy == .catchUp)
        #expect(definition.allowOverlap)
        #expect(definition.startAt == Date(timeIntervalSince1970: 1_767_225_600))
    }

    @Test func nullCountsAsAbsent() throws {
        let definition = try self.decoder.decode([
            "name": "x", "jobType": "loan_cob", "description": .null, "tenantId": .null, "maxRetries": .null,
        ])
        #expect(definition.description == nil)
        #expect(definition.maxRetries == JobDefinition.defaultMaxRetries)
    }

    @Test func collectsEveryViolationWithItsField() {
        let error = #expect(throws: ValidationError.self) {
            try self.decoder.decode([
                "jobType": "print_money", "cronExpression": "bad", "executionInterval": "fortnightly",
                "timezone": "Nowhere/City", "priority": 3, "parameters": "x", "maxRetries": 101,
                "timeoutSeconds": 1.5, "tenantId": "bad tenant!", "extra": true,
            ])
        }
        let fields = Set(error?.violations.map(\.field) ?? [])
        #expect(
            fields == [
                "name", "jobType", "cronExpression", "executionInterval", "timezone", "priority", "parameters",
                "maxRetries", "timeoutSeconds", "tenantId", "extra",
            ]
        )
        let messages = error?.violations.map(\.description).joined(separator: "\n") ?? ""
        #expect(messages.contains("name: is required"))
        #expect(messages.contains("print_money"))
        #expect(messages.contains("'fortnightly' is not one of"))
        #expect(messages.contains("maxRetries: must be between 0 and 100"))
        #expect(messages.contains("priority: must be a string, not number"))
    }

    @Test func refusesCronAndIntervalTogether() {
        let error = #expect(throws: ValidationError.self) {
            try self.decoder.decode([
                "name": "x", "jobType": "loan_cob", "cronExpression": "0 * * * *", "executionInterval": "daily",
            ])
        }
        #expect(error?.violations.map(\.field) == ["executionInterval"])
    }

    @Test func honoursTheAllowedFieldSet() {
        var allowed = JobDefinitionDecoder.acceptedFields
        allowed.remove("tenantId")
        let error = #expect(throws: ValidationError.self) {
            try self.decoder.decode(["name": "x", "jobType": "loan_cob", "tenantId": "a"], allowedFields: allowed)
        }
        #expect(error?.violations.first?.field == "tenantId")
    }
}
