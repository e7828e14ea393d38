import Foundation
import JobsServer
import Logging
import Postgres
import Testing

struct ServiceConfigurationTests {
    @Test func defaultsNeedNoEnvironment() throws {
        let configuration = try ServiceConfiguration.fromEnvironment([:])
        #expect(configuration.port == 3100)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.maxConcurrentJobs == 10)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .json)
        guard case .embedded = configuration.database else {
            Issue.record("with no database configured the embedded one is used")
            return
        }
    }

    @Test func readsPostgresVariables() throws {
        let configuration = try ServiceConfiguration.fromEnvironment([
            "POSTGRES_HOST": "db.internal", "POSTGRES_PORT": "6432", "POSTGRES_DB": "jobs",
            "POSTGRES_USER": "svc", "POSTGRES_PASSWORD": "hunter2", "MAX_CONCURRENT_JOBS": "25",
            "LOG_LEVEL": "DEBUG", "LOG_FORMAT": "text", "NODE_ID": "node-a",
        ])
        guard case .external(let postgres) = configuration.database else {
            Issue.record("POSTGRES_HOST selects an external server")
            return
        }
        #expect(postgres.host == "db.internal")
        #expect(postgres.port == 6432)
        #expect(postgres.database == "jobs")
        #expect(postgres.user == "svc")
        #expect(postgres.password == "hunter2")
        #expect(configuration.maxConcurrentJobs == 25)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.logFormat == .text)
        #expect(configuration.nodeID == "node-a")
        #expect(!configuration.redactedSummary.contains("hunter2"))
    }

    @Test func databaseURLWinsAndItsPasswordIsRedacted() throws {
        let configuration = try ServiceConfiguration.fromEnvironment([
            "DATABASE_URL": "postgres://app:p%40ss@pg.example:5433/core?sslmode=require",
            "POSTGRES_HOST": "ignored",
        ])
        guard case .external(let postgres) = configuration.database else {
            Issue.record("DATABASE_URL selects an external server")
            return
        }
        #expect(postgres.host == "pg.example")
        #expect(postgres.port == 5433)
        #expect(postgres.password == "p@ss")
        #expect(postgres.extraParameters["sslmode"] == "require")
        #expect(!configuration.redactedSummary.contains("p@ss"))
        #expect(configuration.redactedSummary.contains("<redacted>"))
    }

    @Test(arguments: [
        ("PORT", "http"),
        ("PORT", "70000"),
        ("MAX_CONCURRENT_JOBS", "0"),
        ("LOG_LEVEL", "loud"),
        ("LOG_FORMAT", "xml"),
        ("DATABASE_URL", "mysql://x"),
        ("DB_POOL_SIZE", "1"),
        ("HOST", "0.0.0.0"),
    ])
    func invalidValuesNameTheVariable(key: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.fromEnvironment([key: value])
        }
        #expect(error?.key == key)
        #expect(error?.description.hasPrefix(key) == true)
    }

    @Test func publicBindingNeedsAToken() throws {
        let configuration = try ServiceConfiguration.fromEnvironment(["HOST": "0.0.0.0", "API_TOKEN": "t0ken"])
        #expect(configuration.host == "0.0.0.0")
        #expect(!configuration.redactedSummary.contains("t0ken"))
    }

    @Test func withoutAWebhookSecretTheHasuraRoutesAreOff() throws {
        for environment in [[:], ["SCHEDULER_WEBHOOK_SECRET": ""], ["SCHEDULER_WEBHOOK_SECRET": "   "]] {
            let configuration = try ServiceConfiguration.fromEnvironment(environment)
            #expect(configuration.hasuraSecret == nil, "\(environment)")
            #expect(configuration.redactedSummary.contains("hasuraRoutes=off"), "\(environment)")
        }
    }

    @Test(arguments: [
        ("x", "one character"),
        (String(repeating: "s", count: 15), "one short of the least"),
        ("  fifteen-letters  ", "fifteen characters once the blanks around it are trimmed"),
        (String(repeating: "s", count: 513), "one over the most"),
    ])
    func aWebhookSecretOfTheWrongLengthIsRefused(secret: String, why: String) {
        let error = #expect(throws: ConfigurationError.self, "\(why)") {
            try ServiceConfiguration.fromEnvironment(["SCHEDULER_WEBHOOK_SECRET": secret])
        }
        #expect(error?.key == "SCHEDULER_WEBHOOK_SECRET", "\(why)")
        // The refusal names the rule, never the value.
        #expect(error?.description.contains(secret) == false, "\(why)")
    }

    @Test(arguments: [String(repeating: "s", count: 16), String(repeating: "s", count: 512)])
    func aWebhookSecretOfSixteenToFiveHundredTwelveCharactersTurnsTheRoutesOn(secret: String) throws {
        let configuration = try ServiceConfiguration.fromEnvironment(["SCHEDULER_WEBHOOK_SECRET": secret])
        #expect(configuration.hasuraSecret == secret)
        #expect(configuration.redactedSummary.contains("hasuraRoutes=on (secret redacted)"))
        #expect(!configuration.redactedSummary.contains(secret))
    }

    @Test func theSchedulerIsOnUnlessTurnedOff() throws {
        #expect(try ServiceConfiguration.fromEnvironment([:]).schedulerEnabled)
        let off = try ServiceConfiguration.fromEnvironment(["SCHEDULER_ENABLED": "false"])
        #expect(!off.schedulerEnabled)
        #expect(off.redactedSummary.contains("scheduler=off"))
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.fromEnvironment(["SCHEDULER_ENABLED": "sometimes"])
        }
        #expect(error?.key == "SCHEDULER_ENABLED")
    }
}
