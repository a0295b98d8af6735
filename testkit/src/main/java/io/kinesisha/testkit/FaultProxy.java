package io.kinesisha.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy in front of a region's endpoint, so clients keep one address while the service behind it is
 * stopped, restarted on another port, or blackholed. Blackholed, it accepts connections and swallows every
 * byte without answering, which is what an unreachable region looks like to a client: timeouts, not errors.
 * While nothing is behind it (the region is stopped), connections are closed at once. With a response delay, the
 * service gets every request on time but its answers reach the client late: a slow target, which makes clients
 * time out and retry requests that were in fact applied.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String name;
    private final ServerSocket server;
    private final ExecutorService pumps;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile InetSocketAddress backend;
    private final ScheduledExecutorService delayer;
    private volatile boolean blackholed;
    private volatile boolean closed;

    public FaultProxy(String name) {
        this.name = name;
        try {
            this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the proxy for " + name, e);
        }
        this.pumps = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "proxy-" + name + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.delayer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "proxy-" + name + "-delay");
            t.setDaemon(true);
            return t;
        });
        pumps.execute(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Where connections go; {@code null} while the service is down. Open connections are closed. */
    public void target(InetSocketAddress newBackend) {
        this.backend = newBackend;
        closeLinks();
    }

    /** From now on every byte in either direction is swallowed; clients see timeouts. */
    public void blackhole() {
        blackholed = true;
        LOG.info("proxy {} on port {}: blackholed", name, port());
    }

    /**
     * On the connections open now, every byte from the service reaches the client {@code delay} later (in order);
     * requests still arrive at once, and connections opened later are served at once. What a client sees when the
     * service stalls on the requests it has in flight: it times out, although the requests were applied.
     * {@link #restore()} ends it for bytes that arrive afterwards.
     */
    public void delayResponses(Duration delay) {
        for (Link link : links) {
            link.responseDelayNanos = delay.toNanos();
        }
        LOG.info(
                "proxy {} on port {}: responses on {} open connections delayed by {} ms",
                name,
                port(),
                links.size(),
                delay.toMillis());
    }

    /** Traffic flows again; connections that were swallowed are closed so clients reconnect cleanly. */
    public void restore() {
        blackholed = false;
        for (Link link : links) {
            link.responseDelayNanos = 0;
            if (link.poisoned) {
                link.close();
            }
        }
        LOG.info("proxy {} on port {}: restored", name, port());
    }

    public boolean isBlackholed() {
        return blackholed;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                client.setTcpNoDelay(true);
                pumps.execute(() -> connect(client));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("proxy {} accept failed: {}", name, e.toString());
                }
            }
        }
    }

    private void connect(Socket client) {
        Link link = new Link(client);
        links.add(link);
        if (blackholed) {
            link.poisoned = true;
            pumps.execute(() -> pump(link, client, null));
            return;
        }
        InetSocketAddress target = backend;
        if (target == null) {
            link.close();
            return;
        }
        try {
            Socket upstream = new Socket();
            upstream.setTcpNoDelay(true);
            upstream.connect(target, 2000);
            link.upstream = upstream;
            pumps.execute(() -> pump(link, client, upstream));
            pumps.execute(() -> pump(link, upstream, client));
        } catch (IOException e) {
            link.close();
        }
    }

    private void pump(Link link, Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to == null ? null : to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (blackholed || out == null) {
                    link.poisoned = true;
                    continue;
                }
                if (from == link.client) {
                    out.write(buffer, 0, n);
                    out.flush();
                } else {
                    deliver(link, out, buffer, n);
                }
            }
        } catch (SocketException e) {
            // the other side or a restore closed the link
        } catch (IOException e) {
            LOG.debug("proxy {} link error: {}", name, e.toString());
        } finally {
            // Blackholed, the end of the upstream side must not reach the client: it has to see silence.
            if (!(blackholed && from != link.client)) {
                link.close();
            }
        }
    }

    /** Server-to-client bytes: at once, or after the response delay, never overtaking bytes delayed before. */
    private void deliver(Link link, OutputStream out, byte[] buffer, int n) throws IOException {
        long delay = link.responseDelayNanos;
        long now = System.nanoTime();
        long due;
        synchronized (link) {
            if (delay == 0 && link.delayedChunks == 0) {
                out.write(buffer, 0, n);
                out.flush();
                return;
            }
            due = Math.max(now + delay, link.lastDueNanos);
            link.lastDueNanos = due;
            link.delayedChunks++;
        }
        byte[] chunk = Arrays.copyOf(buffer, n);
        try {
            delayer.schedule(
                    () -> {
                        try {
                            out.write(chunk);
                            out.flush();
                        } catch (IOException e) {
                            link.close();
                        } finally {
                            synchronized (link) {
                                link.delayedChunks--;
                            }
                        }
                    },
                    due - now,
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            link.close();
        }
    }

    private void closeLinks() {
        for (Link link : links) {
            link.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("proxy {} close: {}", name, e.toString());
        }
        closeLinks();
        pumps.shutdownNow();
        delayer.shutdownNow();
    }

    private final class Link {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean poisoned;
        private volatile long responseDelayNanos;
        /** Guarded by the link: chunks waiting in the delayer, and when the last of them is due. */
        private int delayedChunks;

        private long lastDueNanos;

        Link(Socket client) {
            this.client = client;
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            Socket up = upstream;
            if (up != null) {
                closeQuietly(up);
            }
        }

        private void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("proxy {} close: {}", name, e.toString());
            }
        }
    }
}
