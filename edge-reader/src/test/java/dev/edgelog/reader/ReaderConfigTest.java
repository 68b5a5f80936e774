package dev.edgelog.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReaderConfigTest {

    @Test
    void when_defaults_then_poolOfFourAndNoGuard() {
        ReaderConfig c = ReaderConfig.defaults();
        assertEquals(4, c.poolSize());
        assertNull(c.maxStaleness());
        assertEquals(Duration.ofSeconds(5), c.busyTimeout());
    }

    @Test
    void when_valueIsBad_then_theMessageNamesTheKey() {
        ReaderConfig d = ReaderConfig.defaults();
        assertMessage("poolSize", () -> d.withPoolSize(0));
        assertMessage("maxStaleness", () -> d.withMaxStaleness(Duration.ZERO));
        assertMessage("busyTimeout", () -> d.withBusyTimeout(Duration.ofMillis(-1)));
        assertMessage("connectionTimeout", () -> d.withConnectionTimeout(Duration.ofMillis(10)));
    }

    private static void assertMessage(String key, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().startsWith(key), x.getMessage());
    }
}
