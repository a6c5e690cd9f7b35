import ArgumentParser
import CallbackSafety

/// The callback URL rules, as `kinfer notifier` applies them before it connects and `kinfer gateway` at submit.
struct CallbackGuardOptions: ParsableArguments {
    @Flag(help: "Admit http callback URLs, not only https.")
    var allowHTTP = false

    @Option(help: ArgumentHelp("A range admitted for callback URLs although private, loopback or link-local, e.g. 10.1.0.0/16 (repeatable).", valueName: "cidr"))
    var callbackAllowCidr: [String] = []

    @Option(help: ArgumentHelp("A port admitted for callback URLs besides the scheme's default (repeatable).", valueName: "port"))
    var callbackAllowPort: [Int] = []

    func validate() throws {
        _ = try self.callbackGuard()
    }

    /// The guard these flags describe.
    func callbackGuard() throws(ValidationError) -> CallbackGuard {
        var ranges: [CIDR] = []
        for text in self.callbackAllowCidr {
            do { ranges.append(try CIDR(text)) } catch {
                throw ValidationError("--callback-allow-cidr: '\(text)' is not a CIDR range (e.g. 10.1.0.0/16 or fd00::/8)")
            }
        }
        for port in self.callbackAllowPort where !(1...65_535).contains(port) {
            throw ValidationError("--callback-allow-port must be from 1 to 65535, got \(port)")
        }
        return CallbackGuard(allowHTTP: self.allowHTTP, allowedPorts: Set(self.callbackAllowPort), allowedRanges: ranges)
    }
}
