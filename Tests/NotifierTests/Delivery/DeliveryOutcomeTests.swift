import Foundation
import Notifier
import Testing

@Suite struct DeliveryOutcomeTests {
    @Test(arguments: [200, 201, 202, 204, 299])
    func twoHundredsAreDelivered(status: Int) {
        #expect(DeliveryOutcome.classify(status: status) == .delivered(status: status))
    }

    @Test func goneStopsAtOnce() {
        guard case .giveUp(let failure) = DeliveryOutcome.classify(status: 410) else { Issue.record("not given up"); return }
        #expect(failure.code == .gone)
        #expect(failure.status == 410)
    }

    @Test(arguments: [301, 302, 303, 307, 308])
    func redirectsAreFailuresNeverFollowed(status: Int) {
        guard case .retry(let failure, let wait) = DeliveryOutcome.classify(status: status, retryAfter: "5") else {
            Issue.record("not a failed attempt"); return
        }
        #expect(failure.code == .redirect)
        #expect(wait == nil)
    }

    @Test(arguments: [400, 401, 403, 404, 408, 413, 422, 500, 502, 504])
    func otherStatusesAreRetriedOnTheSchedule(status: Int) {
        #expect(DeliveryOutcome.classify(status: status, retryAfter: "120") == .retry(
            DeliveryFailure(.status, status: status, "the receiver did not accept the delivery"), retryAfter: nil
        ))
    }

    @Test func retryAfterIsHonouredFor429And503() {
        let now = Date(timeIntervalSince1970: 1_764_688_000)
        guard case .retry(_, let seconds) = DeliveryOutcome.classify(status: 429, retryAfter: " 120 ", now: now),
            case .retry(_, let date) = DeliveryOutcome.classify(status: 503, retryAfter: "Tue, 02 Dec 2025 15:08:20 GMT", now: now),
            case .retry(_, let past) = DeliveryOutcome.classify(status: 503, retryAfter: "Mon, 01 Dec 2025 00:00:00 GMT", now: now),
            case .retry(_, let junk) = DeliveryOutcome.classify(status: 429, retryAfter: "soon", now: now),
            case .retry(_, let none) = DeliveryOutcome.classify(status: 503, now: now)
        else { Issue.record("not retried"); return }
        #expect(seconds == .seconds(120))
        #expect(date == .seconds(1_764_688_100 - 1_764_688_000))
        #expect(past == .zero)
        #expect(junk == nil)
        #expect(none == nil)
    }

    @Test func noAnswerIsRetriedAndAFinalRefusalIsGivenUp() {
        let timeout = DeliveryFailure(.timeout, "no answer within 10 s")
        #expect(DeliveryOutcome.classify(timeout) == .retry(timeout, retryAfter: nil))
        let refused = DeliveryFailure(.refused, "loopback")
        #expect(DeliveryOutcome.classify(refused, final: true) == .giveUp(refused))
    }
}
