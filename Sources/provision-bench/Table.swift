import ProvisionCLI

/// The rows a benchmark prints, in the command line's own table format.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String { Format.table(header: header, rows: rows) }
}

extension Duration {
    /// Milliseconds with one decimal, e.g. `12.3 ms`.
    var milliseconds: String {
        let value = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
        return value < 10 ? String(format: "%.2f ms", value) : String(format: "%.1f ms", value)
    }
}
