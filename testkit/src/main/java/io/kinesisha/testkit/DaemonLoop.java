package io.kinesisha.testkit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread behind the demo's load and consumer: a daemon (a forgotten one never keeps a JVM alive) whose body
 * loops while {@link #running()}; {@link #stop()} clears the flag, wakes it from a park and waits for it, at most
 * the clients' call timeout plus a little.
 */
final class DaemonLoop {
    private final String name;
    private volatile boolean running;
    private Thread thread;

    DaemonLoop(String name) {
        this.name = name;
    }

    /** Starts {@code body} on the thread; starting twice is an error. */
    synchronized void start(Runnable body) {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        running = true;
        thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    boolean running() {
        return running;
    }

    void stop() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(150));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
