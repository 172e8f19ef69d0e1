package io.raftline.example;

import io.raftline.client.AsyncProducer;
import io.raftline.client.Consumer;
import io.raftline.client.Producer;
import io.raftline.client.RaftlineClient;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The README's client example, compiled against {@code raftline-client} alone: appends orders to a running cluster
 * (blocking, then with futures from the client's own thread), then reads them back with a consumer.
 * Run it with the cluster's id, the credential file it proves, and one or more nodes:
 * {@code OrdersExample CLUSTER_ID CREDENTIALS_FILE 1=HOST:PORT ...}.
 */
public final class OrdersExample
{
    private OrdersExample()
    {
    }

    public static void main(final String[] args)
    {
        final Map<Integer, String> endpoints = new TreeMap<>();
        for (int i = 2; i < args.length; i++)
        {
            final String[] idAndEndpoint = args[i].split("=", 2);
            endpoints.put(Integer.parseInt(idAndEndpoint[0]), idAndEndpoint[1]);
        }
        run(args[0], Path.of(args[1]), endpoints, 1_000).forEach(System.out::println);
    }

    /** The client's settings: the cluster's id, its credential, and where its nodes listen (one is enough). */
    private static RaftlineClient.Context context(
        final String clusterId, final Path credentials, final Map<Integer, String> endpoints)
    {
        final RaftlineClient.Context context = new RaftlineClient.Context().clusterId(clusterId)
            .credentials(credentials).openTimeout(Duration.ofSeconds(10)).ackTimeout(Duration.ofSeconds(10));
        endpoints.forEach(context::endpoint);
        return context;
    }

    /** Appends {@code count} orders, half blocking and half with futures; returns them as a consumer reads them. */
    public static List<String> run(
        final String clusterId, final Path credentials, final Map<Integer, String> endpoints, final int count)
    {
        // one at a time, blocking: where each order was committed, or an exception with the reason
        try (RaftlineClient client = RaftlineClient.connect(context(clusterId, credentials, endpoints));
            Producer producer = client.producer("orders-blocking", 64, null))
        {
            for (int i = 0; i < count / 2; i++)
            {
                final byte[] order = ("order-" + i).getBytes(StandardCharsets.US_ASCII);
                final Producer.Committed where = producer.append(new UnsafeBuffer(order), 0, order.length);
                if (where.index() <= 0)
                {
                    throw new IllegalStateException("committed nowhere: " + where);
                }
            }
        }
        // from any thread: futures, completed by the client's own thread
        try (RaftlineClient client = RaftlineClient.connect(context(clusterId, credentials, endpoints).clientThread()))
        {
            final AsyncProducer producer = client.asyncProducer("orders-async", 256);
            final List<CompletableFuture<Producer.Committed>> futures = new ArrayList<>();
            for (int i = count / 2; i < count; i++)
            {
                futures.add(producer.append(("order-" + i).getBytes(StandardCharsets.US_ASCII)));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
            producer.close(Duration.ofSeconds(5));
        }
        // read everything back, in index order
        final List<String> orders = new ArrayList<>();
        try (RaftlineClient client = RaftlineClient.connect(context(clusterId, credentials, endpoints));
            Consumer consumer = client.consumer(Consumer.FIRST,
                entry -> orders.add(entry.text())))
        {
            final long deadlineNs = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (orders.size() < count && System.nanoTime() < deadlineNs)
            {
                consumer.poll();
            }
        }
        return orders;
    }
}
