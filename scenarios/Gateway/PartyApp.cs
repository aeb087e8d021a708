using Bogus;
using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Stack.Host;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// A party's application: until its end time it calls other parties' job services and produces ordered messages to
/// their topics (<c>from-&lt;party&gt;</c>), one request at a time, with Bogus payloads and ids; now and then it calls its
/// own job service, a component its party does not have, or party 20000 (routed to an impostor). It never retries:
/// every request ends once, with the status the application saw, reported as <see cref="AppRequestDone"/>.
/// </summary>
public sealed class PartyApp
{
    /// <summary>A request's deadline: three forward tries of 1 s and their pauses fit in it.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(4);

    private readonly IHost host;
    private readonly GatewayClient client;
    private readonly Faker faker;
    private readonly Dictionary<string, long> sequences = new(StringComparer.Ordinal);
    private int next;

    private PartyApp(IHost host, GatewayClient client, Faker faker)
    {
        this.host = host;
        this.client = client;
        this.faker = faker;
    }

    public Dictionary<StatusCode, int> Outcomes { get; } = [];

    /// <summary>The topic a party's messages go to at every other party.</summary>
    public static string TopicFrom(string party) => $"from-{party}";

    public static PartyApp Start(IHost host, GatewayClient client, Faker faker, TimeSpan until)
    {
        var app = new PartyApp(host, client, faker);
        host.Spawn("app", lifetime => app.RunAsync(until, lifetime));
        return app;
    }

    private async Task RunAsync(TimeSpan until, CancellationToken lifetime)
    {
        var others = GatewayTopology.Parties.Where(p => p != client.Party).ToList();
        while (!lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(faker.Random.Int(200, 500)), lifetime);
            if (host.Clock.Elapsed >= until)
            {
                return;
            }

            var id = $"{host.Name}-{++next}-{faker.Random.AlphaNumeric(5)}";
            var roll = faker.Random.Double();
            if (roll < 0.42)
            {
                await ProduceAsync(id, faker.PickRandom(others), lifetime);
            }
            else
            {
                var (target, component) = roll switch
                {
                    < 0.86 => (faker.PickRandom(others), RouteTables.Fateflow),
                    < 0.91 => (client.Party, RouteTables.Fateflow),
                    < 0.96 => (client.Party, RouteTables.Missing),
                    _ => ("20000", RouteTables.Fateflow),
                };
                await CallAsync(id, target, component, lifetime);
            }
        }
    }

    private async Task CallAsync(string id, string target, string component, CancellationToken lifetime)
    {
        host.Log.Event(new AppRequestSent(id, client.Party, target, false, component, 0));
        var job = $"{{\"job\":\"{faker.Hacker.Verb()}-{faker.Hacker.Noun()}\",\"dataset\":\"{faker.Commerce.ProductName()}\",\"rows\":{faker.Random.Int(100, 100_000)}}}";
        try
        {
            var reply = await client.CallAsync(target, component, id, ByteString.CopyFromUtf8(job), Timeout, lifetime);
            Done(id, StatusCode.OK, "", reply.Metadata.GetValueOrDefault(GatewayHeaders.ServedBy), reply.Payload.ToStringUtf8());
        }
        catch (RpcException e)
        {
            Done(id, e.StatusCode, e.Status.Detail, null, "");
        }
    }

    private async Task ProduceAsync(string id, string target, CancellationToken lifetime)
    {
        var topic = TopicFrom(client.Party);
        var seq = sequences[target] = sequences.GetValueOrDefault(target) + 1;
        host.Log.Event(new AppRequestSent(id, client.Party, target, true, topic, seq));
        var body = ByteString.CopyFromUtf8($"{faker.Lorem.Sentence(6)} model-update #{seq} for {target}");
        try
        {
            var offset = await client.ProduceAsync(target, topic, id, body, Timeout, lifetime);
            Done(id, StatusCode.OK, "", target, $"offset {offset}");
        }
        catch (RpcException e)
        {
            Done(id, e.StatusCode, e.Status.Detail, null, "");
        }
    }

    private void Done(string id, StatusCode status, string detail, string? servedBy, string reply)
    {
        Outcomes[status] = Outcomes.GetValueOrDefault(status) + 1;
        host.Log.Event(new AppRequestDone(id, status, detail, servedBy, reply));
    }

    public override string ToString() =>
        $"{Outcomes.Values.Sum()} request(s): {string.Join(", ", Outcomes.OrderByDescending(o => o.Value).ThenBy(o => o.Key).Select(o => $"{o.Value} {o.Key}"))}";
}
