namespace RuleGen.Tests.Sigma;

/// <summary>
/// Values and modifiers, from the Sigma specification (rules spec §Detection and the modifiers appendix), end to end:
/// each rule below is compiled by the generator and run on JSON events (detection only).
/// </summary>
public sealed class SigmaValueTests : IClassFixture<SigmaValueTests.Rules>
{
    public sealed class Rules : SigmaRules
    {
        public Rules() : base(new Dictionary<string, string>
        {
            ["Plain Value"] = "    selection:\n        Image: 'C:\\Windows\\System32\\cmd.exe'\n    condition: selection",
            ["Star Wildcard"] = "    selection:\n        CommandLine: '*who*mi*'\n    condition: selection",
            ["Question Wildcard"] = "    selection:\n        Image: 'cmd?exe'\n    condition: selection",
            ["Escaped Star"] = "    selection:\n        CommandLine: 'a\\*b'\n    condition: selection",
            ["Escaped Question"] = "    selection:\n        CommandLine: 'x\\?y'\n    condition: selection",
            ["Escaped Backslash Then Wildcard"] = "    selection:\n        CommandLine: 'C:\\\\*'\n    condition: selection",
            ["Lone Backslash Kept"] = "    selection:\n        CommandLine: 'C:\\Temp\\x'\n    condition: selection",
            ["Contains"] = "    selection:\n        CommandLine|contains: 'mimikatz'\n    condition: selection",
            ["Startswith"] = "    selection:\n        CommandLine|startswith: 'powershell'\n    condition: selection",
            ["Endswith"] = "    selection:\n        Image|endswith: '\\cmd.exe'\n    condition: selection",
            ["Contains Keeps Inner Wildcards"] = "    selection:\n        CommandLine|contains: 'net*user'\n    condition: selection",
            ["Contains All"] = "    selection:\n        CommandLine|contains|all:\n            - '-enc'\n            - 'hidden'\n    condition: selection",
            ["Value List"] = "    selection:\n        Image|endswith:\n            - '\\cmd.exe'\n            - '\\powershell.exe'\n    condition: selection",
            ["Long Value List"] = "    selection:\n        OriginalFileName:\n            - 'a.exe'\n            - 'b.exe'\n            - 'c.exe'\n            - 'D.EXE'\n    condition: selection",
            ["Map Is And"] = "    selection:\n        Image|endswith: '\\cmd.exe'\n        CommandLine|contains: 'whoami'\n    condition: selection",
            ["List Of Maps Is Or"] = "    selection:\n        - Image|endswith: '\\cmd.exe'\n        - CommandLine|contains: 'whoami'\n    condition: selection",
            ["Null Value"] = "    selection:\n        Image|endswith: '\\cmd.exe'\n        ParentImage: null\n    condition: selection",
            ["Empty String"] = "    selection:\n        CommandLine: ''\n    condition: selection",
            ["Number Value"] = "    selection:\n        EventID: 4688\n    condition: selection",
            ["Boolean Value"] = "    selection:\n        Signed: true\n    condition: selection",
            ["Regex"] = "    selection:\n        CommandLine|re: '^cmd\\s+/c\\s+\\w+$'\n    condition: selection",
            ["Regex Ignorecase"] = "    selection:\n        CommandLine|re|i: '^cmd\\s+/c'\n    condition: selection",
            ["Percent In Regex Without Expand"] = "    selection:\n        ServiceFileName|re: '^%systemroot%\\\\[a-z]{3}\\.exe$'\n    condition: selection",
            ["Regex Python Syntax"] = "    selection:\n        CommandLine|re: '(?P<x>ab){,2}c\\Z'\n    condition: selection",
            ["Base64"] = "    selection:\n        CommandLine|base64: 'foobar'\n    condition: selection",
            ["Base64offset Contains"] = "    selection:\n        CommandLine|base64offset|contains: 'foobar'\n    condition: selection",
            ["Wide Base64offset Contains"] = "    selection:\n        CommandLine|wide|base64offset|contains: 'ping'\n    condition: selection",
            ["Utf16be Base64"] = "    selection:\n        CommandLine|utf16be|base64: 'ab'\n    condition: selection",
            ["Utf16 Base64"] = "    selection:\n        CommandLine|utf16|base64: 'ab'\n    condition: selection",
            ["Windash"] = "    selection:\n        CommandLine|windash|contains: ' -enc '\n    condition: selection",
            ["Cidr"] = "    selection:\n        DestinationIp|cidr:\n            - '10.0.0.0/8'\n            - 'fd00::/8'\n    condition: selection",
            ["Exists True"] = "    selection:\n        User|exists: true\n    condition: selection",
            ["Exists False"] = "    selection:\n        User|exists: false\n    condition: selection",
            ["Cased"] = "    selection:\n        CommandLine|cased|contains: 'Invoke'\n    condition: selection",
            ["Neq"] = "    selection:\n        User|neq: 'SYSTEM'\n    condition: selection",
            ["Gt"] = "    selection:\n        ProcessId|gt: 1000\n    condition: selection",
            ["Lte"] = "    selection:\n        ProcessId|lte: 4\n    condition: selection",
            ["Fieldref"] = "    selection:\n        Image|fieldref: ParentImage\n    condition: selection",
            ["Fieldref Endswith"] = "    selection:\n        CommandLine|fieldref|endswith: Image\n    condition: selection",
            ["Fieldref Neq"] = "    selection:\n        Image|fieldref|neq: ParentImage\n    condition: selection",
            ["Hour"] = "    selection:\n        UtcTime|hour: 21\n    condition: selection",
            ["Hour Gte"] = "    selection:\n        UtcTime|hour|gte: 20\n    condition: selection",
            ["Year Month Day Minute"] = "    selection:\n        UtcTime|year: 2025\n        UtcTime|month: 12\n        UtcTime|day: 6\n        UtcTime|minute: 11\n    condition: selection",
            ["Week"] = "    selection:\n        UtcTime|week: 49\n    condition: selection",
            ["Keywords"] = "    keywords:\n        - 'mimikatz'\n        - 'sekurlsa'\n    condition: keywords",
            ["Keywords All"] = "    keywords:\n        '|all':\n            - 'alpha'\n            - 'beta'\n    condition: keywords",
            ["Yaml 1.1 Scalars"] = "    selection:\n        Flag: yes\n        Hex: 0x10\n    condition: selection",
        })
        {
        }
    }

    private readonly Rules _rules;

    public SigmaValueTests(Rules rules) => _rules = rules;

    [Theory]
    [InlineData("Plain Value", """{"Image":"c:\\windows\\system32\\CMD.EXE"}""", true)]
    [InlineData("Plain Value", """{"Image":"C:\\Windows\\System32\\cmd.exe.bak"}""", false)]
    [InlineData("Plain Value", """{"Image":["x","C:\\Windows\\System32\\cmd.exe"]}""", true)]
    [InlineData("Plain Value", """{"Other":"C:\\Windows\\System32\\cmd.exe"}""", false)]
    [InlineData("Star Wildcard", """{"CommandLine":"WHOAMI"}""", true)]
    [InlineData("Star Wildcard", """{"CommandLine":"x who y mi z"}""", true)]
    [InlineData("Star Wildcard", """{"CommandLine":"whomx"}""", false)]
    [InlineData("Question Wildcard", """{"Image":"cmd.exe"}""", true)]
    [InlineData("Question Wildcard", """{"Image":"cmdéexe"}""", true)]
    [InlineData("Question Wildcard", """{"Image":"cmdexe"}""", false)]
    [InlineData("Escaped Star", """{"CommandLine":"a*b"}""", true)]
    [InlineData("Escaped Star", """{"CommandLine":"axb"}""", false)]
    [InlineData("Escaped Question", """{"CommandLine":"x?y"}""", true)]
    [InlineData("Escaped Question", """{"CommandLine":"xzy"}""", false)]
    [InlineData("Escaped Backslash Then Wildcard", """{"CommandLine":"C:\\anything"}""", true)]
    [InlineData("Escaped Backslash Then Wildcard", """{"CommandLine":"C:anything"}""", false)]
    [InlineData("Lone Backslash Kept", """{"CommandLine":"c:\\temp\\X"}""", true)]
    [InlineData("Contains", """{"CommandLine":"run MimiKatz.exe now"}""", true)]
    [InlineData("Contains", """{"CommandLine":"mimi katz"}""", false)]
    [InlineData("Startswith", """{"CommandLine":"PowerShell -nop"}""", true)]
    [InlineData("Startswith", """{"CommandLine":"x powershell"}""", false)]
    [InlineData("Endswith", """{"Image":"C:\\Windows\\System32\\CMD.exe"}""", true)]
    [InlineData("Endswith", """{"Image":"C:\\cmd.exe\\x"}""", false)]
    [InlineData("Contains Keeps Inner Wildcards", """{"CommandLine":"a net localgroup user b"}""", true)]
    [InlineData("Contains All", """{"CommandLine":"powershell -w hidden -enc AAA"}""", true)]
    [InlineData("Contains All", """{"CommandLine":"powershell -enc AAA"}""", false)]
    [InlineData("Value List", """{"Image":"C:\\x\\powershell.exe"}""", true)]
    [InlineData("Value List", """{"Image":"C:\\x\\pwsh.exe"}""", false)]
    [InlineData("Long Value List", """{"OriginalFileName":"d.exe"}""", true)]
    [InlineData("Long Value List", """{"OriginalFileName":"B.Exe"}""", true)]
    [InlineData("Long Value List", """{"OriginalFileName":"e.exe"}""", false)]
    [InlineData("Map Is And", """{"Image":"C:\\cmd.exe","CommandLine":"whoami /all"}""", true)]
    [InlineData("Map Is And", """{"Image":"C:\\cmd.exe","CommandLine":"dir"}""", false)]
    [InlineData("List Of Maps Is Or", """{"Image":"C:\\cmd.exe","CommandLine":"dir"}""", true)]
    [InlineData("List Of Maps Is Or", """{"Image":"C:\\x.exe","CommandLine":"whoami"}""", true)]
    [InlineData("List Of Maps Is Or", """{"Image":"C:\\x.exe","CommandLine":"dir"}""", false)]
    [InlineData("Null Value", """{"Image":"C:\\cmd.exe"}""", true)]
    [InlineData("Null Value", """{"Image":"C:\\cmd.exe","ParentImage":null}""", true)]
    [InlineData("Null Value", """{"Image":"C:\\cmd.exe","ParentImage":""}""", false)]
    [InlineData("Null Value", """{"Image":"C:\\cmd.exe","ParentImage":"C:\\explorer.exe"}""", false)]
    [InlineData("Empty String", """{"CommandLine":""}""", true)]
    [InlineData("Empty String", """{"CommandLine":" "}""", false)]
    [InlineData("Empty String", """{}""", false)]
    [InlineData("Number Value", """{"EventID":4688}""", true)]
    [InlineData("Number Value", """{"EventID":"4688"}""", true)]
    [InlineData("Number Value", """{"EventID":46880}""", false)]
    [InlineData("Boolean Value", """{"Signed":true}""", true)]
    [InlineData("Boolean Value", """{"Signed":"true"}""", true)]
    [InlineData("Boolean Value", """{"Signed":false}""", false)]
    [InlineData("Regex", """{"CommandLine":"cmd  /c whoami"}""", true)]
    [InlineData("Regex", """{"CommandLine":"CMD /c whoami"}""", false)]
    [InlineData("Regex", """{"CommandLine":"x cmd /c whoami"}""", false)]
    [InlineData("Regex Ignorecase", """{"CommandLine":"CMD /C dir"}""", true)]
    [InlineData("Regex Python Syntax", """{"CommandLine":"ababc"}""", true)]
    [InlineData("Regex Python Syntax", """{"CommandLine":"c"}""", true)]
    [InlineData("Regex Python Syntax", """{"CommandLine":"abc\n"}""", false)]
    [InlineData("Percent In Regex Without Expand", """{"ServiceFileName":"%systemroot%\\abc.exe"}""", true)]
    [InlineData("Percent In Regex Without Expand", """{"ServiceFileName":"C:\\Windows\\abc.exe"}""", false)]
    [InlineData("Base64", """{"CommandLine":"Zm9vYmFy"}""", true)]
    [InlineData("Base64", """{"CommandLine":"foobar"}""", false)]
    [InlineData("Base64offset Contains", """{"CommandLine":"xxZm9vYmFyxx"}""", true)]
    [InlineData("Base64offset Contains", """{"CommandLine":"..Zvb2Jhc.."}""", true)]
    [InlineData("Base64offset Contains", """{"CommandLine":"..mb29iYX.."}""", true)]
    [InlineData("Base64offset Contains", """{"CommandLine":"foobar"}""", false)]
    // "ping" in UTF-16LE is 70 00 69 00 6E 00 67 00: base64 "cABpAG4AZwA" at offset 0.
    [InlineData("Wide Base64offset Contains", """{"CommandLine":"powershell -enc cABpAG4AZwAgADEA"}""", true)]
    [InlineData("Wide Base64offset Contains", """{"CommandLine":"powershell -enc cGluZw=="}""", false)]
    [InlineData("Utf16be Base64", """{"CommandLine":"AGEAYg=="}""", true)]
    [InlineData("Utf16 Base64", """{"CommandLine":"//5hAGIA"}""", true)]
    [InlineData("Windash", """{"CommandLine":"powershell -enc AAA"}""", true)]
    [InlineData("Windash", """{"CommandLine":"powershell /enc AAA"}""", true)]
    [InlineData("Windash", """{"CommandLine":"powershell \u2013enc AAA"}""", true)]
    [InlineData("Windash", """{"CommandLine":"powershell \u2015enc AAA"}""", true)]
    [InlineData("Windash", """{"CommandLine":"powershell +enc AAA"}""", false)]
    [InlineData("Cidr", """{"DestinationIp":"10.1.2.3"}""", true)]
    [InlineData("Cidr", """{"DestinationIp":"fd12::1"}""", true)]
    [InlineData("Cidr", """{"DestinationIp":"11.1.2.3"}""", false)]
    [InlineData("Cidr", """{"DestinationIp":"not an address"}""", false)]
    [InlineData("Exists True", """{"User":null}""", true)]
    [InlineData("Exists True", """{"User":""}""", true)]
    [InlineData("Exists True", """{"Other":"x"}""", false)]
    [InlineData("Exists False", """{"Other":"x"}""", true)]
    [InlineData("Exists False", """{"User":null}""", false)]
    [InlineData("Cased", """{"CommandLine":"x Invoke-Expression"}""", true)]
    [InlineData("Cased", """{"CommandLine":"x invoke-expression"}""", false)]
    [InlineData("Neq", """{"User":"alice"}""", true)]
    [InlineData("Neq", """{"User":"system"}""", false)]
    [InlineData("Neq", """{"Other":"x"}""", true)]
    [InlineData("Gt", """{"ProcessId":1001}""", true)]
    [InlineData("Gt", """{"ProcessId":"2000"}""", true)]
    [InlineData("Gt", """{"ProcessId":1000}""", false)]
    [InlineData("Gt", """{"ProcessId":"abc"}""", false)]
    [InlineData("Lte", """{"ProcessId":4}""", true)]
    [InlineData("Lte", """{"ProcessId":5}""", false)]
    [InlineData("Fieldref", """{"Image":"C:\\A.exe","ParentImage":"c:\\a.exe"}""", true)]
    [InlineData("Fieldref", """{"Image":"C:\\A.exe","ParentImage":"C:\\B.exe"}""", false)]
    [InlineData("Fieldref", """{"Image":"C:\\A.exe"}""", false)]
    [InlineData("Fieldref Endswith", """{"CommandLine":"run C:\\a.exe","Image":"C:\\a.exe"}""", true)]
    [InlineData("Fieldref Endswith", """{"CommandLine":"C:\\a.exe run","Image":"C:\\a.exe"}""", false)]
    [InlineData("Fieldref Neq", """{"Image":"C:\\A.exe","ParentImage":"C:\\B.exe"}""", true)]
    [InlineData("Fieldref Neq", """{"Image":"C:\\A.exe","ParentImage":"C:\\A.exe"}""", false)]
    [InlineData("Hour", """{"UtcTime":"2025-12-06 21:11:02.632"}""", true)]
    [InlineData("Hour", """{"UtcTime":"2025-12-06T20:11:02Z"}""", false)]
    [InlineData("Hour", """{"UtcTime":"not a date"}""", false)]
    [InlineData("Hour Gte", """{"UtcTime":"2025-12-06T20:00:00Z"}""", true)]
    [InlineData("Hour Gte", """{"UtcTime":"2025-12-06T19:59:59Z"}""", false)]
    [InlineData("Year Month Day Minute", """{"UtcTime":"2025-12-06T21:11:02.649150Z"}""", true)]
    [InlineData("Year Month Day Minute", """{"UtcTime":"2025-12-07T21:11:02Z"}""", false)]
    [InlineData("Week", """{"UtcTime":"2025-12-06"}""", true)]
    [InlineData("Week", """{"UtcTime":1765055462}""", true)]
    [InlineData("Week", """{"UtcTime":"2025-12-15"}""", false)]
    [InlineData("Keywords", """{"a":{"b":["x","run SEKURLSA::logonpasswords"]}}""", true)]
    [InlineData("Keywords", """{"a":"nothing here"}""", false)]
    [InlineData("Keywords All", """{"a":"alpha","b":"BETA"}""", true)]
    [InlineData("Keywords All", """{"a":"alpha"}""", false)]
    [InlineData("Yaml 1.1 Scalars", """{"Flag":true,"Hex":16}""", true)]
    [InlineData("Yaml 1.1 Scalars", """{"Flag":"yes","Hex":"0x10"}""", false)]
    public void Sigma_value_semantics(string rule, string json, bool expected)
    {
        Assert.Equal(expected, _rules.Detects(rule, json));
    }

    [Fact]
    public void Every_rule_of_the_value_tests_compiles_without_errors()
    {
        Assert.DoesNotContain(_rules.Diagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
    }
}
