package io.kinesisha.replicator.it;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Once armed, lets {@link #PASS_BEFORE_FAILING} more PutRecords through (so records are written after the last
 * checkpoint) and fails the next one with an error no retry can fix: the job must fail and restore.
 */
final class FailOnceInterceptor implements ExecutionInterceptor {
    static final int PASS_BEFORE_FAILING = 8;
    static final AtomicBoolean ARMED = new AtomicBoolean();
    static final AtomicLong FIRED_AT_MILLIS = new AtomicLong();
    private static final java.util.concurrent.atomic.AtomicInteger PASSED =
            new java.util.concurrent.atomic.AtomicInteger();

    /** Arms it: the next {@link #PASS_BEFORE_FAILING} + 1st PutRecords fails. */
    static void arm() {
        PASSED.set(0);
        ARMED.set(true);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (!context.request().getClass().getSimpleName().equals("PutRecordsRequest") || !ARMED.get()) {
            return;
        }
        if (PASSED.incrementAndGet() > PASS_BEFORE_FAILING && ARMED.compareAndSet(true, false)) {
            FIRED_AT_MILLIS.set(System.currentTimeMillis());
            throw new IllegalStateException("injected failure: the task manager running the sink died");
        }
    }
}
