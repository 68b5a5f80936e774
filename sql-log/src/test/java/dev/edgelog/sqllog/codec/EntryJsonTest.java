package dev.edgelog.sqllog.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.testing.RandomEntries;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryJsonTest {

    @Test
    void when_randomEntriesGoThroughJson_then_theyComeBackEqual() {
        RandomEntries gen = new RandomEntries(11);
        for (int i = 1; i <= 3_000; i++) {
            Entry e = gen.entry(i);
            assertEquals(e, EntryJson.fromJson(EntryJson.toJson(e)));
        }
    }

    @Test
    void when_aRealIsWhole_then_itStaysARealInJson() {
        Entry e = new Entry(1, 1, 1, 0, false, List.of(Statement.of("SELECT ?, ?", SqlValue.of(2.0), SqlValue.of(2))), List.of());
        String json = EntryJson.toJson(e);
        assertTrue(json.contains("[2.0,2]"), json);
        assertEquals(e, EntryJson.fromJson(json));
    }

    @Test
    void when_jsonIsBad_then_theMessageNamesTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EntryJson.fromJson("{\"index\":\"x\"}"))
                .getMessage().contains("index"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EntryJson.fromJson(
                "{\"index\":1,\"term\":1,\"raft_index\":1,\"commit_time\":1,\"statements\":[{\"sql\":\"x\",\"params\":[{\"blob\":\"!!\"}]}]}"))
                .getMessage().contains("base64"));
        assertThrows(IllegalArgumentException.class, () -> EntryJson.fromJson("[1,"));
    }
}
