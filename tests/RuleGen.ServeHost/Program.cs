using System.Globalization;
using RuleGen.Host;
using RuleGen.ServeHost;
using RuleGen.ServeHost.Compiled;

// generate-events FILE COUNT [HOSTS]: the serve tests' and benchmark's events (not a rulegen command).
if (args is ["generate-events", var file, var count, ..])
{
    ServeTestEvents.Write(file, int.Parse(count, CultureInfo.InvariantCulture), args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 8);
    return 0;
}
return Cli.Run(args, HostConsole.FromProcess(), RuleSet.Instance);
