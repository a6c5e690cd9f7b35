import Foundation
import Notifier
import Testing

@Suite struct CallbackRetryScheduleTests {
    let schedule = CallbackRetrySchedule()
    let start = Date(timeIntervalSince1970: 1_764_688_000)

    @Test func followsStandardWebhooksWithoutJitter() {
        let expected: [Duration] = [
            .seconds(5), .seconds(300), .seconds(1800), .seconds(7200), .seconds(18000), .seconds(36000), .seconds(36000),
            .seconds(36000),
        ]
        #expect((1...8).map { self.schedule.delay(afterAttempt: $0, random: 0.5) } == expected)
    }

    @Test func jitterStaysWithinTenPercent() {
        func close(_ left: Duration, _ right: Duration) -> Bool { left - right < .milliseconds(1) && right - left < .milliseconds(1) }
        #expect(close(self.schedule.delay(afterAttempt: 2, random: 0), .seconds(270)))
        #expect(close(self.schedule.delay(afterAttempt: 2, random: 1), .seconds(330)))
        #expect(close(self.schedule.delay(afterAttempt: 2, random: 7), .seconds(330)))
    }

    /// Eight attempts in all (the first at once), as Standard Webhooks makes them, whatever the jitter.
    @Test(arguments: [0.0, 0.5, 1.0])
    func givesUpAfterTheEighthAttempt(random: Double) {
        var now = self.start
        var attempts = 1
        while let next = self.schedule.nextAttempt(afterAttempt: attempts, firstAttempt: self.start, now: now, random: random) {
            now = next
            attempts += 1
        }
        #expect(attempts == 8)
    }

    @Test func retryAfterWaitsLongerButNeverPastTheMaximumAge() {
        let next = self.schedule.nextAttempt(afterAttempt: 1, firstAttempt: self.start, now: self.start, retryAfter: .seconds(60), random: 0.5)
        #expect(next == self.start.addingTimeInterval(60))
        let shorter = self.schedule.nextAttempt(afterAttempt: 3, firstAttempt: self.start, now: self.start, retryAfter: .seconds(1), random: 0.5)
        #expect(shorter == self.start.addingTimeInterval(1800))
        #expect(self.schedule.nextAttempt(afterAttempt: 1, firstAttempt: self.start, now: self.start, retryAfter: .seconds(40 * 3600)) == nil)
    }

    @Test func aShortenedScheduleForTests() {
        let quick = CallbackRetrySchedule(delays: [.milliseconds(10), .milliseconds(20)], maximumAge: .milliseconds(100), jitter: 0)
        #expect(quick.delay(afterAttempt: 5) == .milliseconds(20))
        #expect(quick.nextAttempt(afterAttempt: 1, firstAttempt: self.start, now: self.start.addingTimeInterval(0.095)) == nil)
    }
}
