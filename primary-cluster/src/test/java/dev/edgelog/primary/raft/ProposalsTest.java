package dev.edgelog.primary.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.primary.commit.Committed;
import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProposalsTest {

    private static final Entry FIRST = new Entry(1, 0, 0, 1_700_000_000_000L, false,
            List.of(Statement.of("INSERT INTO t VALUES(?)", SqlValue.of(1)), Statement.of("INSERT INTO t VALUES(?)", SqlValue.of("x"))),
            List.of());
    private static final Entry SECOND = new Entry(1, 0, 0, 1_700_000_000_000L, true,
            List.of(Statement.of("UPDATE t SET x = 2")), List.of());

    @Test
    void when_aBatchIsApplied_then_theReplyPlacesTheProposedEntriesWithTheirOutcomes() {
        List<Entry> applied = List.of(
                FIRST.at(41, 3, 17).withOutcomes(List.of(Outcome.executed(1, 7), Outcome.failed("UNIQUE constraint failed: t.x — é"))),
                SECOND.at(42, 3, 17).withOutcomes(List.of(Outcome.executed(5, 0))));
        List<Committed> answered = Proposals.replyEntries(
                ByteBuffer.wrap(Proposals.reply(applied, null)).asReadOnlyBuffer(), List.of(FIRST, SECOND));
        assertEquals(applied, answered.stream().map(Committed::entry).toList());
        assertEquals(List.of(), answered.get(0).rows(), "no rows captured");
    }

    @Test
    void when_rowsWereCaptured_then_theReplyCarriesThemBesideTheirStatementsOutcomes() throws Exception {
        Entry mixed = new Entry(1, 0, 0, 1_700_000_000_000L, false,
                List.of(Statement.of("INSERT INTO t VALUES(1)"), Statement.of("SELECT x FROM t"), Statement.of("SELECT nope")),
                List.of());
        Entry applied = mixed.at(7, 2, 5).withOutcomes(
                List.of(Outcome.executed(1, 1), Outcome.executed(0, 0), Outcome.failed("no such column: nope")));
        RowCapture rows = new RowCapture();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite::memory:");
             java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(x INTEGER)");
            s.execute("INSERT INTO t VALUES(1), (2)");
            try (java.sql.ResultSet rs = s.executeQuery("SELECT x FROM t ORDER BY x")) {
                rows.rows(7, 1, rs);
            }
        }
        List<Committed> answered = Proposals.replyEntries(ByteBuffer.wrap(Proposals.reply(List.of(applied), rows)),
                List.of(mixed));
        assertEquals(applied, answered.get(0).entry());
        assertEquals(null, answered.get(0).rowsOf(0));
        assertEquals("{\"columns\":[\"x\"],\"types\":[\"integer\"],\"values\":[[1],[2]]}", answered.get(0).rowsOf(1));
        assertEquals(null, answered.get(0).rowsOf(2), "a failed statement answers its error, not rows");
    }

    @Test
    void when_theReplyDoesNotAnswerTheProposal_then_itIsRefused() {
        byte[] reply = Proposals.reply(List.of(FIRST.at(41, 3, 17).withOutcomes(List.of(Outcome.executed(1, 7)))), null);
        IllegalStateException count = assertThrows(IllegalStateException.class,
                () -> Proposals.replyEntries(ByteBuffer.wrap(reply), List.of(FIRST, SECOND)));
        assertTrue(count.getMessage().contains("1 entries for 2 requests"), count.getMessage());
        IllegalStateException cut = assertThrows(IllegalStateException.class,
                () -> Proposals.replyEntries(ByteBuffer.wrap(Arrays.copyOf(reply, reply.length - 3)), List.of(FIRST)));
        assertTrue(cut.getMessage().contains("cut short"), cut.getMessage());
        byte[] tooMany = Proposals.reply(List.of(SECOND.at(41, 3, 17).withOutcomes(List.of(Outcome.executed(1, 7)))), null);
        tooMany[4 + 24 + 3] = 9; // the outcome count: 9 outcomes for SECOND's one statement
        assertThrows(IllegalStateException.class, () -> Proposals.replyEntries(ByteBuffer.wrap(tooMany), List.of(SECOND)));
    }
}
