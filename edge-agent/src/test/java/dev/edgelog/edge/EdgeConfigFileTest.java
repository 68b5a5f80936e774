package dev.edgelog.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.auth.Scope;
import dev.edgelog.sqllog.follow.FollowConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EdgeConfigFileTest {

    @TempDir
    Path dir;

    private EdgeConfig load(String yaml) throws Exception {
        Path f = dir.resolve("edge.yaml");
        Files.writeString(f, yaml);
        return EdgeConfigFile.load(f, null, null);
    }

    @Test
    void when_onlyTheEssentialsAreGiven_then_everythingElseHasItsDefault() throws Exception {
        EdgeConfig c = load("node_name: e1\ndata_dir: data\nupstreams: [\"http://10.0.0.1:4001\", \"https://m1:4001\"]\n");
        assertEquals("e1", c.follow().nodeName());
        assertEquals(dir.resolve("data"), c.follow().dataDir(), "relative to the config file");
        assertEquals(List.of(URI.create("http://10.0.0.1:4001"), URI.create("https://m1:4001")), c.follow().upstreams());
        assertEquals(EdgeConfig.DEFAULT_HTTP_ADDRESS, c.follow().httpAddress());
        assertEquals(FollowConfig.DEFAULT_POLL_WAIT, c.follow().pollWait());
        assertNull(c.follow().token());
        assertNull(c.follow().credentials(), "the local API is open unless auth is given");
        assertEquals(dir.resolve("data").resolve("edge.db"), c.databaseFile());
    }

    @Test
    void when_keysAreSet_then_theyAreUsedAndTheTokenIsReadFromItsFile() throws Exception {
        Files.writeString(dir.resolve("pull.token"), "s3cret\n");
        EdgeConfig c = load("node_name: e1\ndata_dir: /var/lib/e\nupstreams: [\"http://p:1\"]\ntoken_file: pull.token\n"
                + "http_address: 127.0.0.1:5000\npoll_wait_ms: 1000\nstall_timeout_ms: 2000\nready_max_lag: 5\n"
                + "backoff: {initial_ms: 10, max_ms: 20}\nbreaker_open_ms: 300\nmax_batch_bytes: 65536\n");
        assertEquals("s3cret", c.follow().token());
        assertEquals(5000, c.follow().httpPort());
        assertEquals(Duration.ofSeconds(1), c.follow().pollWait());
        assertEquals(Duration.ofSeconds(2), c.follow().stallTimeout());
        assertEquals(5, c.follow().readyMaxLag());
        assertEquals(Duration.ofMillis(10), c.follow().backoffInitial());
        assertEquals(Duration.ofMillis(300), c.follow().breakerOpen());
        assertEquals(65536, c.follow().maxBatchBytes());
    }

    @Test
    void when_authIsGiven_then_theLocalApiChecksItsFilesRelativeToTheConfig() throws Exception {
        Files.writeString(dir.resolve("tokens.json"), "[{\"name\": \"ops\", \"sha256\": \""
                + Credentials.sha256("ops-token") + "\", \"scopes\": [\"status\"]}]");
        Files.writeString(dir.resolve("users.json"), "[{\"username\": \"prom\", \"password\": \"p\", \"perms\": [\"ready\"]}]");
        EdgeConfig c = load(OK + "http_address: 0.0.0.0:4101\nauth: {tokens_file: tokens.json, users_file: users.json}\n");
        assertNotNull(c.follow().credentials());
        assertEquals(Credentials.Verdict.ALLOWED, c.follow().credentials().check("Bearer ops-token", Scope.STATUS));
        assertEquals(Credentials.Verdict.ALLOWED, c.follow().credentials().check("Basic cHJvbTpw", Scope.STATUS)); // prom:p
        assertEquals(Credentials.Verdict.UNAUTHENTICATED, c.follow().credentials().check(null, Scope.STATUS));
    }

    private static final String OK = "data_dir: d\nupstreams: [\"http://127.0.0.1:1\"]\n";

    @Test
    void when_theAuthSectionIsWrong_then_theErrorNamesTheKey() throws Exception {
        assertTrue(message(OK + "auth: {}\n").contains("auth"));
        assertTrue(message(OK + "auth: {token_file: t.json}\n").contains("token_file"), "an unknown key inside auth");
        assertTrue(message(OK + "auth: {tokens_file: missing.json}\n").contains("auth.tokens_file"));
        assertTrue(message(OK + "auth: {users_file: missing.json}\n").contains("auth.users_file"));
        Files.writeString(dir.resolve("bad-tokens.json"), "[{\"name\": \"t\", \"sha256\": \"abc\", \"scopes\": [\"status\"]}]");
        assertTrue(message(OK + "auth: {tokens_file: bad-tokens.json}\n").contains("auth.tokens_file"));
        Files.writeString(dir.resolve("bad-users.json"), "[{\"username\": \"u\", \"password\": \"p\", \"perms\": [\"fly\"]}]");
        Files.writeString(dir.resolve("good-tokens.json"), "[]");
        assertTrue(message(OK + "auth: {users_file: bad-users.json, tokens_file: good-tokens.json}\n")
                .contains("auth.users_file"));
    }

    private String message(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void when_anOpenLocalApiWouldListenBeyondLoopback_then_theAgentRefusesToStartUnlessInsecure() throws Exception {
        Path f = Files.writeString(dir.resolve("open.yaml"), OK + "http_address: 0.0.0.0:4101\n");
        assertEquals(2, new CommandLine(new EdgeMain()).execute("--config", f.toString()));
        assertEquals(0, new CommandLine(new EdgeMain()).execute("--config", f.toString(), "--check"),
                "--check validates the file only, as for the other roles");
        Files.writeString(f, OK + "http_address: 0.0.0.0:4101\nauth: {tokens_file: missing.json}\n");
        assertEquals(2, new CommandLine(new EdgeMain()).execute("--config", f.toString(), "--check"));
        assertEquals(2, new CommandLine(new EdgeMain()).execute("--config", f.toString(), "--insecure"),
                "a bad auth section is a bad configuration, --insecure or not");
    }

    @Test
    void when_theFileIsWrong_then_theErrorNamesTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load(
                "data_dir: d\nupstreams: [\"http://p:1\"]\nupstream_list: []\n")).getMessage().contains("upstream_list"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load("upstreams: [\"http://p:1\"]\n"))
                .getMessage().contains("data_dir"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load("data_dir: d\n"))
                .getMessage().contains("upstreams"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load("data_dir: d\nupstreams: [\"ftp://p:1\"]\n"))
                .getMessage().contains("ftp://p:1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load(
                "data_dir: d\nupstreams: [\"http://p:1\"]\npoll_wait_ms: 70000\n")).getMessage().contains("poll_wait_ms"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load(
                "data_dir: d\nupstreams: [\"http://p:1\"]\nbackoff: {initial_ms: 50, max_ms: 10}\n")).getMessage()
                .contains("backoff"));
    }
}
