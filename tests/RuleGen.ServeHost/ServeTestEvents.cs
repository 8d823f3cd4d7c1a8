using System.Globalization;
using System.Text;

namespace RuleGen.ServeHost;

/// <summary>
/// The events of the serve crash test and benchmark: one event a second over <c>hosts</c> hosts, mostly noise, with
/// planted patterns that raise known alerts from this project's rules: seed-rule matches (Azure packet captures),
/// bursts of failed logins (the threshold rule), dropper-then-callback pairs (the EQL sequence), bursts of Windows
/// failed logons (the Sigma rule and its correlation), a few malformed lines, and one event per host a day after the
/// rest, so that every execution before it runs in a scan and in serve alike. Deterministic for a seed.
/// </summary>
public static class ServeTestEvents
{
    public static readonly DateTime Start = new(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc);

    public static string Host(int index) => "host-" + index.ToString("D2", CultureInfo.InvariantCulture);

    public static void Write(string path, int count, int hosts = 8, int seed = 19, int malformed = 3)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        var planned = new Dictionary<int, (string Host, string Kind)>();
        var second = 0;
        for (var i = 0; i < count; i++, second++)
        {
            var time = Start.AddSeconds(second);
            var host = Host(random.Next(hosts));
            if (planned.Remove(i, out var plan))
            {
                writer.WriteLine(Event(plan.Kind, plan.Host, time));
                continue;
            }
            if (malformed > 0 && i % (count / (malformed + 1)) == count / (malformed + 1) / 2 && i > 0)
            {
                writer.WriteLine("{\"@timestamp\":\"" + Stamp(time) + "\",\"host\":{\"name\":\"" + host + "\"}, not json");
                malformed--;
                continue;
            }
            var roll = random.Next(1000);
            if (roll < 1) writer.WriteLine(Event("seed", host, time));
            else if (roll < 2) Plan(planned, i, host, "failure", 12);
            else if (roll < 3) Plan(planned, i, host, "logon", 6);
            else if (roll < 4)
            {
                writer.WriteLine(Event("dropper", host, time));
                planned.TryAdd(i + 20, (host, "callback"));
                continue;
            }
            if (!planned.Remove(i, out plan)) writer.WriteLine(Event("noise", host, time));
            else writer.WriteLine(Event(plan.Kind, plan.Host, time));
        }
        // One quiet event per host a day later: executions before it run everywhere.
        for (var h = 0; h < hosts; h++) writer.WriteLine(Event("noise", Host(h), Start.AddSeconds(second + 86_400 + h)));
    }

    private static void Plan(Dictionary<int, (string, string)> planned, int at, string host, string kind, int n)
    {
        for (var k = 0; k < n; k++) planned.TryAdd(at + k, (host, kind));
    }

    private static string Stamp(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Event(string kind, string host, DateTime time)
    {
        var t = Stamp(time);
        return kind switch
        {
            "seed" => $$$"""{"@timestamp":"{{{t}}}","event":{"kind":"event","dataset":"azure.activitylogs","ingested":"{{{t}}}","outcome":"Success"},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK/NETWORKWATCHERS/PACKETCAPTURES/WRITE"}},"host":{"name":"{{{host}}}"},"Computer":"{{{host}}}"}""",
            "failure" => $$$"""{"@timestamp":"{{{t}}}","event":{"category":"authentication","outcome":"failure"},"user":{"name":"svc"},"host":{"name":"{{{host}}}"},"Computer":"{{{host}}}"}""",
            "logon" => $$$"""{"@timestamp":"{{{t}}}","Channel":"Security","EventID":4625,"TargetUserName":"admin","host":{"name":"{{{host}}}"},"Computer":"{{{host}}}"}""",
            "dropper" => $$$"""{"@timestamp":"{{{t}}}","event":{"category":"process","type":"start"},"process":{"name":"dropper.exe"},"host":{"name":"{{{host}}}"},"Computer":"{{{host}}}"}""",
            "callback" => $$$"""{"@timestamp":"{{{t}}}","event":{"category":"network"},"destination":{"port":4444},"host":{"name":"{{{host}}}"},"Computer":"{{{host}}}"}""",
            _ => $$$"""{"@timestamp":"{{{t}}}","event":{"category":"file","action":"read"},"file":{"path":"/var/tmp/x"},"host":{"name":"{{{host}}}"},"Computer":"{{{host}}}"}""",
        };
    }
}
