package dev.edgelog.reader;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How far this edge is behind its upstream, as of one read of {@code _edgelog_state}. An empty value
 * means unknown, never zero.
 *
 * <p><b>Time behind</b> follows what operators know from MySQL's {@code Seconds_Behind_Source} and
 * PostgreSQL's replay lag: zero when the edge had applied everything its upstream had committed at
 * the last contact; otherwise the age of the newest applied entry ({@code now - last_commit_time}).
 * While catching up that is an upper bound on how old the data is (the first missing entry was
 * committed after it), and it shrinks as the agent applies. It uses the leader's clock for the commit
 * time and this machine's for {@code now}: clock skew adds to it directly (it is floored at zero).
 * It deliberately does not grow while the edge is idle and caught up: a quiet log is not a lagging
 * edge. What grows then, if the upstream stops answering, is {@link #sinceLastContact()} — the number
 * to alert on, and what the staleness guard uses ({@link #staleness()}).
 *
 * @param bootstrapped     false when the database file or its {@code _edgelog_state} row does not
 *                         exist yet (every other value is then empty)
 * @param entriesBehind    {@code upstream_commit_index - applied_index}, floored at 0; empty when the
 *                         agent has recorded no upstream commit index
 * @param timeBehind       see above; empty when entries behind is unknown, or when the edge is behind
 *                         but has applied nothing yet (no commit time to measure from)
 * @param sinceLastContact time since the agent last heard from an upstream; empty when it never has
 */
public record Lag(boolean bootstrapped, OptionalLong entriesBehind, Optional<Duration> timeBehind,
        Optional<Duration> sinceLastContact) {

    /** The lag of a database the agent has not bootstrapped yet: everything unknown. */
    public static Lag notBootstrapped() {
        return new Lag(false, OptionalLong.empty(), Optional.empty(), Optional.empty());
    }

    /** The lag that {@code state} describes at {@code nowMillis} (ms since the epoch, this machine). */
    public static Lag of(EdgeState state, long nowMillis) {
        OptionalLong behind = state.upstreamCommitIndex() == null
                ? OptionalLong.empty()
                : OptionalLong.of(Math.max(0, state.upstreamCommitIndex() - state.appliedIndex()));
        Optional<Duration> timeBehind;
        if (behind.isEmpty()) {
            timeBehind = Optional.empty();
        } else if (behind.getAsLong() == 0) {
            timeBehind = Optional.of(Duration.ZERO);
        } else if (state.lastCommitTimeMillis() <= 0) {
            timeBehind = Optional.empty();
        } else {
            timeBehind = Optional.of(age(nowMillis, state.lastCommitTimeMillis()));
        }
        Optional<Duration> contact = state.lastContactMillis() == null
                ? Optional.empty()
                : Optional.of(age(nowMillis, state.lastContactMillis()));
        return new Lag(true, behind, timeBehind, contact);
    }

    /**
     * How old the data may be, as conservatively as the row allows: the time since the last upstream
     * contact (the data was current then, if the edge was caught up), or the time behind when the edge
     * was behind at that contact and that is larger. Empty (unknown) when not bootstrapped, when no
     * contact is recorded, or when behind with nothing applied yet.
     */
    public Optional<Duration> staleness() {
        if (!bootstrapped || sinceLastContact.isEmpty()) {
            return Optional.empty();
        }
        if (entriesBehind.isEmpty() || entriesBehind.getAsLong() == 0) {
            return sinceLastContact;
        }
        return timeBehind.map(t -> t.compareTo(sinceLastContact.get()) > 0 ? t : sinceLastContact.get());
    }

    private static Duration age(long nowMillis, long thenMillis) {
        return Duration.ofMillis(Math.max(0, nowMillis - thenMillis));
    }
}
