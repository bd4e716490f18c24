import GRDB
import ProvisionCore

// The ids and names of the state records are stored as their raw values, so records
// encode to the columns of migration "v1: runs and steps" and can be compared with
// columns in queries (`StepRecord.Columns.runID == run`).

extension RunID: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { rawValue.databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> RunID? {
        Int64.fromDatabaseValue(dbValue).map { RunID($0) }
    }
}

extension StepID: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { rawValue.databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StepID? {
        Int64.fromDatabaseValue(dbValue).map { StepID($0) }
    }
}

extension StepAction: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { rawValue.databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StepAction? {
        String.fromDatabaseValue(dbValue).map { StepAction($0) }
    }
}

extension ComponentID: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { rawValue.databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> ComponentID? {
        String.fromDatabaseValue(dbValue).map { ComponentID($0) }
    }
}

// String raw values; the schema's CHECK constraints admit exactly these.
extension RunOutcome: DatabaseValueConvertible {}
extension StepState: DatabaseValueConvertible {}
