package io.kinesisha.controller.actions;

import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;

/**
 * The settings of a Kinesis event source mapping that a recreated mapping must keep, so moving a consumer changes
 * only where it starts: batching, parallelisation, filters, the failure destination, bisect and retry limits,
 * tumbling windows, partial batch responses, metrics and the customer-managed key. Position, source and state are
 * the caller's.
 */
final class MappingSettings {
    private MappingSettings() {}

    static void copy(EventSourceMappingConfiguration from, CreateEventSourceMappingRequest.Builder to) {
        to.batchSize(from.batchSize())
                .maximumBatchingWindowInSeconds(from.maximumBatchingWindowInSeconds())
                .parallelizationFactor(from.parallelizationFactor())
                .filterCriteria(from.filterCriteria())
                .destinationConfig(from.destinationConfig())
                .bisectBatchOnFunctionError(from.bisectBatchOnFunctionError())
                .maximumRetryAttempts(from.maximumRetryAttempts())
                .maximumRecordAgeInSeconds(from.maximumRecordAgeInSeconds())
                .tumblingWindowInSeconds(from.tumblingWindowInSeconds())
                .metricsConfig(from.metricsConfig())
                .kmsKeyArn(from.kmsKeyArn());
        if (from.hasFunctionResponseTypes()) {
            to.functionResponseTypesWithStrings(from.functionResponseTypesAsStrings());
        }
    }
}
