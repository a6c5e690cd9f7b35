import InferenceWorker

/// Runs `worker` until it has completed `count` jobs; returns the time from its first completed job to the last
/// and the process's peak RSS meanwhile. Fails when nothing completes for `idleTimeout` seconds, or when any job
/// failed or was dead-lettered (`subject` names the run in those errors). The worker is shut down either way.
func timeWorker(_ worker: InferenceWorker, until count: Int, idleTimeout: Int, subject: String) async throws -> (seconds: Double, peakRSSMegabytes: Double?) {
    PeakRSS.reset()
    let running = Task { try await worker.run() }
    let clock = ContinuousClock()
    var first: ContinuousClock.Instant?
    var last = clock.now
    var progress = (count: 0, at: clock.now)
    while true {
        let completed = worker.counters.completed
        let now = clock.now
        if first == nil && completed > 0 { first = now }
        if completed >= count { last = now; break }
        if completed != progress.count {
            progress = (completed, now)
        } else if now - progress.at > .seconds(idleTimeout) {
            worker.shutdown()
            _ = try? await running.value
            throw BenchFailure("\(subject): \(completed) of \(count) jobs completed, no progress for \(idleTimeout) s")
        }
        try await Task.sleep(for: .milliseconds(1))
    }
    let peak = PeakRSS.megabytes
    worker.shutdown()
    try await running.value
    let counters = worker.counters
    guard counters.failed == 0, counters.deadLettered == 0 else {
        throw BenchFailure("\(subject): \(counters.failed) failed, \(counters.deadLettered) dead-lettered")
    }
    return ((last - first!).seconds, peak)
}
