import Foundation
import TestSupport

/// The OpenSpec change this repository implements.
enum OpenSpecChange {
    static let id = "2025-11-11-add-kubernetes-staging-cluster"
    static let directory = Repository.file("openspec/changes/\(id)")
}
