import Foundation
import ProvisionCore

/// The backends `--backend` can name, the default first. A new backend is one line here:
/// its provider type's ``Backend``.
public enum BackendRegistry {
    public static let all: [Backend] =
        [KindProvider.backend, ExistingClusterProvider.backend] + CloudProvider.all.map(UnimplementedCloudProvider.backend)

    /// `--backend`'s default: kind.
    public static var `default`: Backend { all[0] }

    /// The backend named `name` among `backends`.
    public static func named(_ name: String, in backends: [Backend] = all) -> Backend? {
        backends.first { $0.name == name }
    }
}
