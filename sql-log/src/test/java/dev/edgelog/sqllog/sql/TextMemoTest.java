package dev.edgelog.sqllog.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TextMemoTest {

    @Test
    void when_aTextIsSeenAgain_then_itsResultIsNotComputedAgain() {
        TextMemo<Integer> memo = new TextMemo<>(10, 100);
        AtomicInteger computed = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            assertEquals(5, memo.get("SELECT", t -> {
                computed.incrementAndGet();
                return t.length() - 1;
            }));
        }
        assertEquals(1, computed.get());
    }

    @Test
    void when_theComputationThrows_then_nothingIsRememberedAndItThrowsAgain() {
        TextMemo<Boolean> memo = new TextMemo<>(10, 100);
        AtomicInteger computed = new AtomicInteger();
        for (int i = 0; i < 2; i++) {
            assertThrows(RejectedSqlException.class, () -> memo.get("VACUUM", t -> {
                computed.incrementAndGet();
                SqlValidator.validate(t);
                return true;
            }));
        }
        assertEquals(2, computed.get());
        assertNull(memo.get("VACUUM"));
    }

    @Test
    void when_fullOrTheTextIsLong_then_itStaysWithinItsBounds() {
        TextMemo<Boolean> memo = new TextMemo<>(3, 10);
        for (int i = 0; i < 100; i++) {
            memo.remember("t" + i, true);
            assertEquals(true, memo.size() <= 3, "size " + memo.size());
        }
        memo.remember("x".repeat(11), true);
        assertNull(memo.get("x".repeat(11)));
        assertEquals(true, memo.get("t99"));
    }
}
