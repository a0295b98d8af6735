package io.kinesisha.common.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy in front of a region's endpoint, so clients keep one address while the service behind it is
 * stopped, restarted on another port, or blackholed. Blackholed, it accepts connections and swallows every
 * byte without answering, which is what an unreachable region looks like to a client: timeouts, not errors.
 * While nothing is behind it (the region is stopped), connections are closed at once.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String name;
    private final ServerSocket server;
    private final ExecutorService pumps;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile InetSocketAddress backend;
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

    /** Traffic flows again; connections that were swallowed are closed so clients reconnect cleanly. */
    public void restore() {
        blackholed = false;
        for (Link link : links) {
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
                out.write(buffer, 0, n);
                out.flush();
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
    }

    private final class Link {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean poisoned;

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
