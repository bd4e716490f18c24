import GRDB
import ProvisionCore

extension StateStore {
    /// Versioned migrations. Never edit a registered migration: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1: runs and steps") { db in
            try db.execute(
                sql: """
                    CREATE TABLE run (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        commandLine TEXT NOT NULL,          -- JSON array of arguments
                        backend TEXT NOT NULL,
                        cluster TEXT NOT NULL,
                        startedAt DATETIME NOT NULL,
                        endedAt DATETIME,
                        outcome TEXT NOT NULL
                            CHECK (outcome IN ('running', 'succeeded', 'failed', 'interrupted')),
                        error TEXT,
                        toolVersion TEXT NOT NULL,
                        manifestsRevision TEXT,
                        pid INTEGER NOT NULL,
                        processStartTime INTEGER            -- guards against pid reuse
                    );
                    -- history filtered by outcome, newest first
                    CREATE INDEX run_on_outcome ON run(outcome, id);
                    -- "is someone else working on this cluster?"
                    CREATE INDEX run_on_cluster_outcome ON run(cluster, outcome);

                    CREATE TABLE step (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                        component TEXT,                     -- NULL for run-level steps
                        action TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN
                            ('pending', 'running', 'succeeded', 'failed', 'skipped', 'interrupted')),
                        startedAt DATETIME,
                        endedAt DATETIME,
                        durationSeconds DOUBLE,
                        attempt INTEGER NOT NULL DEFAULT 1,
                        error TEXT,
                        note TEXT,
                        digest TEXT
                    );
                    -- one run's steps
                    CREATE INDEX step_on_runId ON step(runId, id);
                    -- history filtered by component
                    CREATE INDEX step_on_component_runId ON step(component, runId);
                    """)
        }
        migrator.registerMigration("v2: run targets") { db in
            // Which kubeconfig context and API server a run reached (`--backend existing`).
            try db.alter(table: "run") { table in
                table.add(column: "context", .text)
                table.add(column: "server", .text)
            }
        }
        migrator.registerMigration("v3: what was applied, by whom") { db in
            // Who ran it and with which tools (JSON array of "tool version").
            try db.alter(table: "run") { table in
                table.add(column: "user", .text)
                table.add(column: "host", .text)
                table.add(column: "tools", .text)
            }
            // What a deploy step applied: its objects (JSON [{reference, digest}]), the change
            // counts against the component's previous apply, and its Secrets by name and key only.
            try db.alter(table: "step") { table in
                table.add(column: "objects", .text)
                table.add(column: "created", .integer)
                table.add(column: "changed", .integer)
                table.add(column: "unchanged", .integer)
                table.add(column: "secrets", .text)
            }
            // The exact bytes applied, zlib-compressed, once per digest (step.digest points here).
            try db.create(table: "manifest") { table in
                table.primaryKey("digest", .text)
                table.column("size", .integer).notNull()
                table.column("body", .blob).notNull()
            }
        }
        migrator.registerMigration("v4: object lists kept with their manifest") { db in
            // A step's object list follows from the bytes it applied, so it is kept once per
            // digest like the bytes, not once per step (most of a long history's size).
            try db.alter(table: "manifest") { table in
                table.add(column: "objects", .text)  // JSON [{reference, digest}]
            }
            try db.execute(
                sql: """
                    UPDATE manifest SET objects = (
                        SELECT step.objects FROM step
                        WHERE step.digest = manifest.digest AND step.objects IS NOT NULL
                        ORDER BY step.id DESC LIMIT 1);
                    UPDATE step SET objects = NULL
                    WHERE objects IS NOT NULL
                        AND digest IN (SELECT digest FROM manifest WHERE objects IS NOT NULL);
                    """)
        }
        migrator.registerMigration("v5: steps that work on something other than a component") { db in
            // A `pull` step warms one image up; the image is its subject.
            try db.alter(table: "step") { table in
                table.add(column: "subject", .text)
            }
        }
        return migrator
    }
}
