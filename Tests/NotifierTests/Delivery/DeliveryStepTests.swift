import Foundation
import Notifier
import Testing

@Suite struct DeliveryStepTests {
    let schedule = CallbackRetrySchedule(delays: [.seconds(5), .seconds(300)], maximumAge: .seconds(3_600), jitter: 0)
    let first = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aDeliveredAttemptIsDone() {
        #expect(DeliveryStep.after(.delivered(status: 204), attempt: 3, firstAttempt: first, now: first, schedule: schedule) == .delivered(status: 204))
    }

    @Test func aFailedAttemptIsRetriedOnTheScheduleWithTheNextAttemptNumber() {
        let failure = DeliveryFailure(.status, status: 500, "no")
        let now = first.addingTimeInterval(10)
        let step = DeliveryStep.after(.retry(failure, retryAfter: nil), attempt: 2, firstAttempt: first, now: now, schedule: schedule)
        #expect(step == .retry(attempt: 3, notBefore: now.addingTimeInterval(300), after: failure))
    }

    @Test func aLongerRetryAfterWins() {
        let failure = DeliveryFailure(.status, status: 429, "wait")
        let step = DeliveryStep.after(.retry(failure, retryAfter: .seconds(60)), attempt: 1, firstAttempt: first, now: first, schedule: schedule)
        #expect(step == .retry(attempt: 2, notBefore: first.addingTimeInterval(60), after: failure))
    }

    @Test func theScheduleRunningOutGivesUpAsExhausted() {
        let failure = DeliveryFailure(.timeout, "no answer")
        let late = first.addingTimeInterval(3_500)
        #expect(DeliveryStep.after(.retry(failure, retryAfter: nil), attempt: 9, firstAttempt: first, now: late, schedule: schedule) == .giveUp(failure, exhausted: true))
    }

    @Test func goneAndRefusedGiveUpAtOnce() {
        let gone = DeliveryFailure(.gone, status: 410, "gone")
        #expect(DeliveryStep.after(.giveUp(gone), attempt: 1, firstAttempt: first, now: first, schedule: schedule) == .giveUp(gone, exhausted: false))
    }
}
