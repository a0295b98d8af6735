package io.kinesisha.replicator.source;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** Test sink: records what reached it, with a global arrival order, per named run (static: survives shipping). */
final class CollectingSink implements Sink<KinesisRecordView> {
    private static final Map<String, List<Arrival>> RUNS = new ConcurrentHashMap<>();
    private static final AtomicLong ORDER = new AtomicLong();

    private final String run;

    CollectingSink(String run) {
        this.run = run;
        RUNS.put(run, new CopyOnWriteArrayList<>());
    }

    static List<Arrival> arrivals(String run) {
        return RUNS.get(run);
    }

    @Override
    @Deprecated
    public SinkWriter<KinesisRecordView> createWriter(InitContext context) {
        throw new UnsupportedOperationException("Flink 1.20 calls createWriter(WriterInitContext)");
    }

    @Override
    public SinkWriter<KinesisRecordView> createWriter(WriterInitContext context) {
        List<Arrival> arrivals = RUNS.get(run);
        return new SinkWriter<KinesisRecordView>() {
            @Override
            public void write(KinesisRecordView element, Context ctx) {
                arrivals.add(new Arrival(ORDER.incrementAndGet(), element));
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }

    record Arrival(long order, KinesisRecordView record) {}
}
