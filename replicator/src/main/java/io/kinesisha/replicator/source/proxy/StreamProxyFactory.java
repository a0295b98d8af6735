package io.kinesisha.replicator.source.proxy;

import io.kinesisha.replicator.source.KinesisSourceConfig;
import java.io.Serializable;

/** Creates the {@link StreamProxy} of an enumerator or reader; shipped with the job, so serializable. */
@FunctionalInterface
public interface StreamProxyFactory extends Serializable {
    StreamProxy create(KinesisSourceConfig config);

    /** The AWS SDK proxy. */
    static StreamProxyFactory sdk() {
        return config -> new KinesisStreamProxy(config.target(), config.tuning());
    }
}
