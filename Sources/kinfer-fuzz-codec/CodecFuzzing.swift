import InferenceJobs

/// Feeds arbitrary bytes to the job contract's decoders, the code that reads whatever any producer sends.
///
/// Checks more than "does not crash": whatever decodes must encode to bytes that decode again to the same encoding
/// (one normalisation, then a fixed point), and a job's ignored fields must each name a field. A violation traps, so
/// that libFuzzer records the input.
///
/// Built two ways (see `scripts/fuzz`): with `-sanitize=fuzzer,address -DKINFER_FUZZING`, libFuzzer's driver runs
/// it on the inputs it makes; otherwise the executable replays the files or folders named on its command line, which is
/// how `scripts/test` runs the committed corpus on every build.
enum CodecFuzzing {
    static func check(_ bytes: UnsafeRawBufferPointer) {
        var ignored: [JobDecodingError] = []
        if let job = try? JobCodec.decodeJob(bytes, fallbackSubmittedAt: .init(timeIntervalSince1970: 0), ignoredFields: &ignored) {
            precondition(ignored.allSatisfy { $0.field != nil && $0.jobID == job.jobID }, "an ignored field without its name or job")
            let encoded = JobCodec.encode(job)
            guard let again = try? JobCodec.decodeJob(encoded, fallbackSubmittedAt: .init(timeIntervalSince1970: 1)) else {
                preconditionFailure("a decoded job's encoding does not decode: \(String(decoding: encoded, as: UTF8.self))")
            }
            precondition(JobCodec.encode(again) == encoded, "a job's encoding is not a fixed point: \(String(decoding: encoded, as: UTF8.self))")
        }
        if let result = try? JobCodec.decodeResult(bytes) {
            let encoded = JobCodec.encode(result)
            guard let again = try? JobCodec.decodeResult(encoded) else {
                preconditionFailure("a decoded result's encoding does not decode: \(String(decoding: encoded, as: UTF8.self))")
            }
            precondition(JobCodec.encode(again) == encoded, "a result's encoding is not a fixed point: \(String(decoding: encoded, as: UTF8.self))")
        }
    }
}

#if KINFER_FUZZING
import CFuzzerDriver

/// libFuzzer's entry for one input.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    CodecFuzzing.check(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count))
    return 0
}

/// The fuzzing build's entry point. SwiftPM links an executable's `main` to this name, which takes the place of
/// libFuzzer's own `main`, so it starts libFuzzer's driver as that `main` would.
@_cdecl("kinfer_fuzz_codec_main")
func fuzzingMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, count in fuzzOneInput(data, count) }
}
#endif
