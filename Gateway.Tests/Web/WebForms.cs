using System.Net;
using System.Text.RegularExpressions;
using Vitals.Gateway.Web.Access;

namespace Vitals.Gateway.Tests.Web;

/// <summary>A browser-like client for the gateway's forms: keeps cookies, reads a page's anti-forgery field, posts forms.</summary>
internal sealed partial class WebForms : IDisposable
{
    private readonly HttpClient _http;

    public WebForms(string baseUrl, string? host = null)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
        Host = host;
    }

    public CookieContainer Cookies { get; }

    /// <summary>The Host header sent (the listener's name off loopback); null: the URL's.</summary>
    public string? Host { get; set; }

    public async Task<HttpResponseMessage> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (Host is not null) request.Headers.Host = Host;
        return await _http.SendAsync(request);
    }

    /// <summary>GETs <paramref name="formPage"/>, then posts <paramref name="fields"/> to <paramref name="action"/> with the page's token.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string formPage, string action, params (string Name, string Value)[] fields)
    {
        using var page = await GetAsync(formPage);
        var html = await page.Content.ReadAsStringAsync();
        return await PostAsync(action, [(WebAccess.CsrfField, Token(html)), .. fields]);
    }

    /// <summary>Posts exactly <paramref name="fields"/> (no token unless given).</summary>
    public async Task<HttpResponseMessage> PostAsync(string action, params (string Name, string Value)[] fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, action)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
        if (Host is not null) request.Headers.Host = Host;
        return await _http.SendAsync(request);
    }

    public static string Token(string html) =>
        CsrfInput().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("no anti-forgery field on the page");

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfInput();
}
