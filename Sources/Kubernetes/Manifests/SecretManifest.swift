import Foundation
import ProvisionCore

/// Builds the Secret object for a ``SecretSpec`` and its values, as JSON for `kubectl apply -f -`.
/// The result holds credentials: it travels only on standard input, never in logs.
enum SecretManifest {
    static func json(for spec: SecretSpec, owner: ComponentID, values: [(key: String, value: String)]) throws -> String {
        var data: [String: String] = [:]
        for (key, value) in values { data[key] = Data(value.utf8).base64EncodedString() }
        let object: [String: Any] = [
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": [
                "name": spec.name,
                "namespace": spec.namespace,
                "labels": [
                    ComponentLabel.key: owner.rawValue,
                    "app.kubernetes.io/managed-by": "provision",
                ],
            ],
            "data": data,
        ]
        let bytes = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: bytes, as: UTF8.self)
    }
}
