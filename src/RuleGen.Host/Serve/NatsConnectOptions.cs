using NATS.Client.Core;

namespace RuleGen.Host.Serve;

/// <summary>
/// How <c>rulegen serve</c> and <c>rulegen publish</c> connect to NATS: the server URL, and TLS, a credentials file,
/// an NKey seed file, a token or a user and password. Secrets are read from files or the environment and never printed:
/// <see cref="ToString"/> and every message name the option, not its value.
/// </summary>
public sealed record NatsConnectOptions
{
    public string Url { get; init; } = "nats://127.0.0.1:4222";

    /// <summary><c>--creds FILE</c>: a NATS credentials file (JWT and NKey seed).</summary>
    public string? CredsFile { get; init; }

    /// <summary><c>--nkey FILE</c>: a file holding an NKey seed (the public key is derived from it).</summary>
    public string? NKeyFile { get; init; }

    /// <summary><c>--token-file FILE</c> or the <c>NATS_TOKEN</c> environment variable: a token.</summary>
    public string? Token { get; init; }

    /// <summary><c>--user NAME</c>, with the password from <c>--password-file FILE</c> or <c>NATS_PASSWORD</c>.</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary><c>--tls</c>: require TLS (also implied by a tls:// URL or any of the TLS files).</summary>
    public bool Tls { get; init; }

    /// <summary><c>--tls-ca FILE</c>, <c>--tls-cert FILE</c>, <c>--tls-key FILE</c>.</summary>
    public string? TlsCa { get; init; }

    public string? TlsCert { get; init; }

    public string? TlsKey { get; init; }

    public const string Usage = """
          --nats URL             the NATS server (default nats://127.0.0.1:4222; tls://... requires TLS)
          --creds FILE           authenticate with a NATS credentials file (JWT and NKey seed)
          --nkey FILE            authenticate with the NKey seed in FILE
          --token-file FILE      authenticate with the token in FILE (or set NATS_TOKEN)
          --user NAME            authenticate as NAME, password from --password-file FILE or NATS_PASSWORD
          --tls                  require TLS; --tls-ca FILE, --tls-cert FILE, --tls-key FILE for the CA and a client
                                 certificate. Secrets are never printed or logged.
        """;

    /// <summary>
    /// Reads one connection option at <paramref name="i"/>: true when it was one (and <paramref name="i"/> moved past its
    /// value), false when it is another option, null after reporting a problem.
    /// </summary>
    public static bool? TryParseOption(string[] args, ref int i, ref NatsConnectOptions options, TextWriter stderr)
    {
        var arg = args[i];
        if (arg is not ("--nats" or "--creds" or "--nkey" or "--token-file" or "--user" or "--password-file" or "--tls" or "--tls-ca" or "--tls-cert" or "--tls-key"))
            return false;
        if (arg == "--tls")
        {
            options = options with { Tls = true };
            return true;
        }
        if (i + 1 >= args.Length)
        {
            stderr.WriteLine($"rulegen: {arg} needs {(arg == "--nats" ? "a server URL" : arg == "--user" ? "a user name" : "a file name")}.");
            return null;
        }
        var value = args[++i];
        switch (arg)
        {
            case "--nats":
                options = options with { Url = value };
                return true;
            case "--user":
                options = options with { User = value };
                return true;
        }
        if (!File.Exists(value))
        {
            stderr.WriteLine($"rulegen: {arg}: file not found: {value}");
            return null;
        }
        options = arg switch
        {
            "--creds" => options with { CredsFile = value },
            "--nkey" => options with { NKeyFile = value },
            "--token-file" => options with { Token = File.ReadAllText(value).Trim() },
            "--password-file" => options with { Password = File.ReadAllText(value).TrimEnd('\r', '\n') },
            "--tls-ca" => options with { TlsCa = value, Tls = true },
            "--tls-cert" => options with { TlsCert = value, Tls = true },
            _ => options with { TlsKey = value, Tls = true },
        };
        return true;
    }

    /// <summary>Fills secrets the command line left out from the environment (<c>NATS_TOKEN</c>, <c>NATS_PASSWORD</c>).</summary>
    public NatsConnectOptions WithEnvironment() => this with
    {
        Token = Token ?? NullIfEmpty(Environment.GetEnvironmentVariable("NATS_TOKEN")),
        Password = Password ?? (User is null ? null : NullIfEmpty(Environment.GetEnvironmentVariable("NATS_PASSWORD"))),
    };

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private bool RequiresTls => Tls || Url.StartsWith("tls://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The client's options: the URL, authentication and TLS.</summary>
    public NatsOpts ToNatsOpts(string name)
    {
        var auth = NatsAuthOpts.Default with
        {
            CredsFile = CredsFile,
            NKeyFile = NKeyFile,
            Token = Token,
            Username = User,
            Password = Password,
        };
        var tls = NatsTlsOpts.Default;
        if (RequiresTls)
            tls = tls with { Mode = TlsMode.Require, CaFile = TlsCa, CertFile = TlsCert, KeyFile = TlsKey };
        return NatsOpts.Default with { Url = Url, Name = name, AuthOpts = auth, TlsOpts = tls };
    }

    /// <summary>The server and which authentication is used, without any secret.</summary>
    public override string ToString()
    {
        var auth = CredsFile is not null ? "credentials file" : NKeyFile is not null ? "nkey" : Token is not null ? "token" : User is not null ? $"user {User}" : "no authentication";
        return $"{RedactedUrl(Url)} ({auth}{(RequiresTls ? ", TLS" : "")})";
    }

    /// <summary>A URL with any user:password part replaced (nats://user:secret@host is a valid server URL).</summary>
    public static string RedactedUrl(string url)
    {
        var at = url.LastIndexOf('@');
        if (at < 0) return url;
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        return (scheme >= 0 && scheme < at ? url[..(scheme + 3)] : "") + "***@" + url[(at + 1)..];
    }
}
