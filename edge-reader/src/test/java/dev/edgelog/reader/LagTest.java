package dev.edgelog.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LagTest {

    private static final long NOW = 1_700_000_100_000L;

    private static EdgeState state(long applied, long lastCommit, Long upstreamCommit, Long lastContact) {
        return new EdgeState("log", applied, 1, applied, lastCommit, NOW, "up", upstreamCommit, lastContact);
    }

    @Test
    void when_caughtUp_then_nothingBehindAndStalenessIsTheContactAge() {
        // idle for an hour, but the upstream answered 2 s ago with nothing new
        Lag lag = Lag.of(state(10, NOW - 3_600_000, 10L, NOW - 2_000), NOW);
        assertEquals(0, lag.entriesBehind().getAsLong());
        assertEquals(Optional.of(Duration.ZERO), lag.timeBehind(), "a quiet log is not a lagging edge");
        assertEquals(Optional.of(Duration.ofSeconds(2)), lag.sinceLastContact());
        assertEquals(Optional.of(Duration.ofSeconds(2)), lag.staleness());
    }

    @Test
    void when_behind_then_timeBehindIsTheAgeOfTheNewestAppliedEntry() {
        Lag lag = Lag.of(state(10, NOW - 7_000, 25L, NOW - 1_000), NOW);
        assertEquals(15, lag.entriesBehind().getAsLong());
        assertEquals(Optional.of(Duration.ofSeconds(7)), lag.timeBehind());
        assertEquals(Optional.of(Duration.ofSeconds(7)), lag.staleness(), "the larger of contact age and time behind");
    }

    @Test
    void when_upstreamStopsAnswering_then_stalenessGrowsWithTheContactAge() {
        Lag lag = Lag.of(state(10, NOW - 7_000, 11L, NOW - 60_000), NOW);
        assertEquals(Optional.of(Duration.ofSeconds(60)), lag.staleness());
    }

    @Test
    void when_upstreamIsUnknown_then_entriesAndTimeBehindAreUnknown() {
        Lag lag = Lag.of(state(10, NOW - 7_000, null, null), NOW);
        assertTrue(lag.bootstrapped());
        assertTrue(lag.entriesBehind().isEmpty());
        assertTrue(lag.timeBehind().isEmpty());
        assertTrue(lag.sinceLastContact().isEmpty());
        assertTrue(lag.staleness().isEmpty());
    }

    @Test
    void when_behindWithNothingApplied_then_timeBehindIsUnknownNotFiftyYears() {
        Lag lag = Lag.of(state(0, 0, 100L, NOW - 1_000), NOW);
        assertEquals(100, lag.entriesBehind().getAsLong());
        assertTrue(lag.timeBehind().isEmpty());
        assertTrue(lag.staleness().isEmpty());
    }

    @Test
    void when_upstreamReportsLessThanApplied_then_entriesBehindIsFlooredAtZero() {
        // e.g. a mirror that restarted behind this edge
        Lag lag = Lag.of(state(10, NOW - 7_000, 8L, NOW - 1_000), NOW);
        assertEquals(0, lag.entriesBehind().getAsLong());
    }

    @Test
    void when_leaderClockIsAhead_then_timesAreFlooredAtZero() {
        Lag lag = Lag.of(state(10, NOW + 5_000, 12L, NOW + 5_000), NOW);
        assertEquals(Optional.of(Duration.ZERO), lag.timeBehind());
        assertEquals(Optional.of(Duration.ZERO), lag.sinceLastContact());
    }

    @Test
    void when_notBootstrapped_then_everythingIsUnknown() {
        Lag lag = Lag.notBootstrapped();
        assertFalse(lag.bootstrapped());
        assertTrue(lag.staleness().isEmpty());
    }
}
