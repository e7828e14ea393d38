public import JobsEngine
public import Postgres

/// Registers the built-in workers this module provides.
public enum BuiltInWorkers {
    public static func register(in registry: WorkerRegistry, pool: PostgresPool) {
        registry.registerWorker(SystemHealthCheckWorker(pool: pool))
    }
}
