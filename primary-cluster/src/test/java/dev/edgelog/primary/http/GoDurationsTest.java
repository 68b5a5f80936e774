package dev.edgelog.primary.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GoDurationsTest {

    @Test
    void when_durationIsGoSyntax_then_itParsesToMillis() {
        assertEquals(500, GoDurations.parseMillis("500ms"));
        assertEquals(1000, GoDurations.parseMillis("1s"));
        assertEquals(90_000, GoDurations.parseMillis("1m30s"));
        assertEquals(1500, GoDurations.parseMillis("1.5s"));
    }

    @Test
    void when_durationIsNotGoSyntax_then_400NamesIt() {
        BadRequestException e = assertThrows(BadRequestException.class, () -> GoDurations.parseMillis("10"));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("not a valid duration"), e.getMessage());
        assertThrows(BadRequestException.class, () -> GoDurations.parseMillis("1s junk"));
    }
}
