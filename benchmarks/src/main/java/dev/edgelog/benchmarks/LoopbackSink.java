package dev.edgelog.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A TCP connection on 127.0.0.1 whose far end reads and discards everything, on its own thread. */
final class LoopbackSink implements AutoCloseable {

    private final ServerSocketChannel server;
    private final SocketChannel client;
    private final Thread drain;

    private LoopbackSink(ServerSocketChannel server, SocketChannel client, Thread drain) {
        this.server = server;
        this.client = client;
        this.drain = drain;
    }

    static LoopbackSink open() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        Thread drain = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            try (accepted) {
                while (accepted.read(buf.clear()) >= 0) {
                    // discard
                }
            } catch (IOException ignored) {
                // closed
            }
        }, "loopback-drain");
        drain.setDaemon(true);
        drain.start();
        return new LoopbackSink(server, client, drain);
    }

    SocketChannel channel() {
        return client;
    }

    @Override
    public void close() throws Exception {
        client.close();
        drain.join(10_000);
        server.close();
    }
}
