import Foundation

/// authentik is served under a sub-path that several places must agree on: its own setting
/// `AUTHENTIK_WEB__PATH` (ConfigMap authentik-config), `AUTHENTIK_WEB__BASE_URL` (scheme and
/// host only), the route's host and path (the HTTPRoute, or the seed's Ingress), the HTTP probe
/// paths and the URLs `provision` checks and prints. The edge must pass the prefix through
/// unchanged: a rewrite (an Ingress rewrite-target, an HTTPRoute URLRewrite filter) breaks every
/// route. This check holds them all against one external URL.
enum AuthentikPath {
    static let configMap = "authentik-config"
    static let service = "authentik-server"

    /// - Parameters:
    ///   - externalURL: where users reach authentik, e.g. `http://localhost/auth/`.
    ///   - checkedURLs: URLs `provision` requests or prints for authentik.
    static func problems(in objects: [KubeObject], externalURL: String, checkedURLs: [String]) -> [String] {
        var problems: [String] = []
        guard let external = URLComponents(string: externalURL), let scheme = external.scheme,
              let host = external.host else {
            return ["\(externalURL) is not an absolute URL"]
        }
        let origin = "\(scheme)://\(host)" + (external.port.map { ":\($0)" } ?? "")
        let prefix = external.path

        guard let config = objects.first(where: { $0.kind == "ConfigMap" && $0.name == configMap }) else {
            return ["ConfigMap \(configMap) is not rendered"]
        }
        let path = Tree.string(config.data["AUTHENTIK_WEB__PATH"]) ?? "/"
        if !path.hasPrefix("/") || !path.hasSuffix("/") {
            problems.append("AUTHENTIK_WEB__PATH \(path) needs a leading and a trailing slash")
        }
        if path != prefix {
            problems.append("AUTHENTIK_WEB__PATH is \(path) but authentik is reached at \(externalURL)")
        }
        let baseURL = Tree.string(config.data["AUTHENTIK_WEB__BASE_URL"])
        if baseURL != origin {
            problems.append("AUTHENTIK_WEB__BASE_URL is \(baseURL ?? "not set"), expected \(origin) (scheme and host, no path)")
        }

        // Every Ingress path that routes to the authentik server.
        var routes = 0
        for ingress in objects where ingress.kind == "Ingress" {
            let rewrites = ingress.annotations.keys.filter { $0.hasSuffix("/rewrite-target") }.sorted()
            for rule in Tree.array(ingress.spec["rules"]) {
                let ruleHost = Tree.string(Tree.value(rule, at: "host"))
                for entry in Tree.array(Tree.value(rule, at: "http.paths")) {
                    guard Tree.string(Tree.value(entry, at: "backend.service.name")) == service else { continue }
                    routes += 1
                    let routed = Tree.string(Tree.value(entry, at: "path")) ?? "/"
                    if routed != path {
                        problems.append("\(ingress) routes \(routed) to \(service), but AUTHENTIK_WEB__PATH is \(path)")
                    }
                    if ruleHost != host {
                        problems.append("\(ingress) routes host \(ruleHost ?? "any"), but authentik is reached at \(host)")
                    }
                    for annotation in rewrites {
                        problems.append("\(ingress) has \(annotation): the prefix \(path) must reach authentik unchanged")
                    }
                }
            }
        }
        // Every HTTPRoute rule that sends to the authentik server.
        for route in objects where route.kind == "HTTPRoute" {
            let hostnames = Tree.array(route.spec["hostnames"]).compactMap(Tree.string)
            for rule in Tree.array(route.spec["rules"]).map(Tree.dictionary) {
                let backends = Tree.array(rule["backendRefs"]).map(Tree.dictionary)
                guard backends.contains(where: { Tree.string($0["name"]) == service }) else { continue }
                routes += 1
                for match in Tree.array(rule["matches"]).map(Tree.dictionary) {
                    let routed = Tree.string(Tree.value(match, at: "path.value")) ?? "/"
                    if routed != path || Tree.string(Tree.value(match, at: "path.type")) != "PathPrefix" {
                        problems.append("\(route) routes \(routed) to \(service), but AUTHENTIK_WEB__PATH is \(path) (as a PathPrefix)")
                    }
                }
                if !hostnames.contains(host) {
                    problems.append("\(route) routes hosts \(hostnames), but authentik is reached at \(host)")
                }
                for filter in Tree.array(rule["filters"]).map(Tree.dictionary) where Tree.string(filter["type"]) == "URLRewrite" {
                    problems.append("\(route) has a URLRewrite filter: the prefix \(path) must reach authentik unchanged")
                }
            }
        }
        if routes == 0 { problems.append("no route (HTTPRoute or Ingress) sends to \(service)") }

        // HTTP probes of the pods that run with authentik's settings.
        for workload in objects where workload.isWorkload {
            for container in workload.containers
            where container.envFrom.contains(where: { Tree.string(Tree.value($0, at: "configMapRef.name")) == configMap }) {
                for kind in ["startupProbe", "livenessProbe", "readinessProbe"] {
                    guard let probePath = Tree.string(Tree.value(container.probe(kind) ?? [:], at: "httpGet.path")) else { continue }
                    // authentik's health endpoints are <path>-/health/live/ and <path>-/health/ready/.
                    if !probePath.hasPrefix(path + "-/health/") {
                        problems.append("\(workload) container \(container.name) \(kind) requests \(probePath), not \(path)-/health/…")
                    }
                }
            }
        }

        for url in checkedURLs where !url.hasPrefix(origin + path) {
            problems.append("provision uses \(url), outside \(origin + path)")
        }
        return problems
    }
}
