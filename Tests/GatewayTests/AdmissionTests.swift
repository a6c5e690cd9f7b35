@testable import Gateway
import Testing

/// Back-pressure as a pure decision, and the completion rate it divides by: no broker.
@Suite("Admission")
struct AdmissionTests {
    let limits = Admission.Limits(maxBacklog: 500, maxWaitSeconds: 30, fallbackRetryAfterSeconds: 1, maxRetryAfterSeconds: 60)

    @Test("Lag over rate is the estimate; unknown lag or rate gives none and admits")
    func estimates() {
        #expect(Admission.decide(lag: 100, completionsPerSecond: 50, limits: self.limits) == .admit(estimatedWaitSeconds: 2))
        #expect(Admission.decide(lag: nil, completionsPerSecond: 50, limits: self.limits) == .admit(estimatedWaitSeconds: nil))
        #expect(Admission.decide(lag: 100, completionsPerSecond: nil, limits: self.limits) == .admit(estimatedWaitSeconds: nil))
        #expect(Admission.decide(lag: 100, completionsPerSecond: 0, limits: self.limits) == .admit(estimatedWaitSeconds: nil))
        #expect(Admission.decide(lag: 0, completionsPerSecond: 10, limits: self.limits) == .admit(estimatedWaitSeconds: 0))
    }

    @Test("At the backlog limit: 429, Retry-After from the drain rate, or the fallback with no rate (workers stopped)")
    func backlogLimit() {
        #expect(Admission.decide(lag: 499, completionsPerSecond: nil, limits: self.limits) == .admit(estimatedWaitSeconds: nil))
        guard case .reject(let stopped, _) = Admission.decide(lag: 500, completionsPerSecond: nil, limits: self.limits) else {
            Issue.record("not rejected")
            return
        }
        #expect(stopped == 1)
        guard case .reject(let draining, _) = Admission.decide(lag: 700, completionsPerSecond: 50, limits: self.limits) else {
            Issue.record("not rejected")
            return
        }
        #expect(draining == 5)  // 201 jobs over the limit at 50/s
        guard case .reject(let capped, _) = Admission.decide(lag: 1_000_000, completionsPerSecond: 1, limits: self.limits) else {
            Issue.record("not rejected")
            return
        }
        #expect(capped == 60)
    }

    @Test("Over the wait limit: 429 until the estimate falls under it; no limits admit everything")
    func waitLimit() {
        let waitOnly = Admission.Limits(maxBacklog: nil, maxWaitSeconds: 10)
        guard case .reject(let retryAfter, let reason) = Admission.decide(lag: 400, completionsPerSecond: 20, limits: waitOnly) else {
            Issue.record("not rejected")
            return
        }
        #expect(retryAfter == 10)  // 20 s estimated, 10 allowed
        #expect(reason.contains("20 s"))
        #expect(Admission.decide(lag: 200, completionsPerSecond: 20, limits: waitOnly) == .admit(estimatedWaitSeconds: 10))
        let none = Admission.Limits(maxBacklog: nil, maxWaitSeconds: nil)
        #expect(Admission.decide(lag: 1_000_000, completionsPerSecond: 1, limits: none) == .admit(estimatedWaitSeconds: 1_000_000))
    }

    @Test("The completion rate counts whole seconds of the window, leaves out the partial first second once a whole one follows, and is unknown when nothing completed in it")
    func completionRate() {
        let now = Locked<Int64>(100)
        let rate = CompletionRate(window: 10, now: { now.withLock { $0 } })
        #expect(rate.perSecond == nil)
        rate.record(30)
        #expect(rate.perSecond == nil)  // the current second is not whole yet
        now.withLock { $0 = 101 }
        rate.record(10)
        #expect(rate.perSecond == 30)  // only the first second is whole so far
        now.withLock { $0 = 102 }
        #expect(rate.perSecond == 10)  // second 101; second 100 was partial
        rate.record(50)
        now.withLock { $0 = 103 }
        #expect(rate.perSecond == 30)  // 60 over seconds 101 and 102
        now.withLock { $0 = 130 }
        #expect(rate.perSecond == nil)  // nothing in the last 10 s: the workers may be stopped
    }
}
