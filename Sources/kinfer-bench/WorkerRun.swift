import InferenceWorker

/// Runs `worker` until it has completed `count` jobs; returns the time from its first completed job to the last
/// and the process's peak RSS meanwhile. Fails when nothing completes for `idleTimeout` seconds, or when any job
/// failed or was dead-lettered (`subject` names the run in those errors). The worker is shut down either way.
func timeWorker(_ worker: InferenceWorker, until count: Int, idleTimeout: Int, subject: String) async throws -> (seconds: Double, peakRSSMegabytes: Double?) {
    PeakRSS.reset()
    let running = Task { try await worker.run() }
    let seconds: Double
    do {
        seconds = try await timeCompletions(until: count, idleTimeout: idleTimeout, every: .milliseconds(1), subject: subject) {
            worker.counters.completed
        }
    } catch {
        worker.shutdown()
        _ = try? await running.value
        throw error
    }
    let peak = PeakRSS.megabytes
    worker.shutdown()
    try await running.value
    let counters = worker.counters
    guard counters.failed == 0, counters.deadLettered == 0 else {
        throw BenchFailure("\(subject): \(counters.failed) failed, \(counters.deadLettered) dead-lettered")
    }
    return (seconds, peak)
}

/// Reads `completed` every `interval` until it reaches `count`; returns the seconds from the first completion seen to
/// the last. Fails when the count does not move for `idleTimeout` seconds, or when `completed` throws.
func timeCompletions(
    until count: Int, idleTimeout: Int, every interval: Duration, subject: String, completed: () async throws -> Int
) async throws -> Double {
    let clock = ContinuousClock()
    var first: ContinuousClock.Instant?
    var progress = (count: 0, at: clock.now)
    while true {
        let done = try await completed()
        let now = clock.now
        if first == nil && done > 0 { first = now }
        if done >= count { return (now - first!).seconds }
        if done != progress.count {
            progress = (done, now)
        } else if now - progress.at > .seconds(idleTimeout) {
            throw BenchFailure("\(subject): \(done) of \(count) jobs completed, no progress for \(idleTimeout) s")
        }
        try await Task.sleep(for: interval)
    }
}
