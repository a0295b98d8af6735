package io.kinesisha.replicator.it;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** Fails the sink's next PutRecords with an error no retry can fix, once, when armed: the job must fail and restore. */
final class FailOnceInterceptor implements ExecutionInterceptor {
    static final AtomicBoolean ARMED = new AtomicBoolean();
    static final AtomicLong FIRED_AT_MILLIS = new AtomicLong();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (context.request().getClass().getSimpleName().equals("PutRecordsRequest") && ARMED.compareAndSet(true, false)) {
            FIRED_AT_MILLIS.set(System.currentTimeMillis());
            throw new IllegalStateException("injected failure: the task manager running the sink died");
        }
    }
}
