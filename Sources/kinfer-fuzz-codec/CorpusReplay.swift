#if !KINFER_FUZZING
import Foundation

/// Without libFuzzer: runs every file named on the command line, or found in a folder named there, through the
/// fuzzing checks, and says how many it ran. A failed check traps with its reason.
@main
struct CorpusReplay {
    static func main() throws {
        var count = 0
        for argument in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("kinfer-fuzz-codec: no such file or folder: \(argument)\n".utf8))
                exit(2)
            }
            let files = isDirectory.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: argument).sorted().map { "\(argument)/\($0)" }
                : [argument]
            for file in files {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
                bytes.withUnsafeBytes { CodecFuzzing.check($0) }
                count += 1
            }
        }
        print("kinfer-fuzz-codec: \(count) inputs replayed, every check held")
    }
}
#endif
