using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Compat.SmartWats;

namespace WaServerless.Functions.Http;

/// <summary>SmartWats' drop-in surface: thin wrappers over SmartWatsHandler.</summary>
public sealed class SmartWatsFunctions(SmartWatsHandler smartWats)
{
    [Function(nameof(SmartWatsCreateInstance))]
    public Task<IActionResult> SmartWatsCreateInstance([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smartwats/create_instance")] HttpRequest request) =>
        smartWats.CreateInstanceAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsGetQrcode))]
    public Task<IActionResult> SmartWatsGetQrcode([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smartwats/get_qrcode")] HttpRequest request) =>
        smartWats.QrCodeAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsGetPaircode))]
    public Task<IActionResult> SmartWatsGetPaircode([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smartwats/get_paircode")] HttpRequest request) =>
        smartWats.PairCodeAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsLogout))]
    public Task<IActionResult> SmartWatsLogout([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smartwats/logout")] HttpRequest request) =>
        smartWats.LogoutAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsSetWebhook))]
    public Task<IActionResult> SmartWatsSetWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smartwats/set_webhook")] HttpRequest request) =>
        smartWats.SetWebhookAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsSend))]
    public Task<IActionResult> SmartWatsSend([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smartwats/send")] HttpRequest request) =>
        smartWats.SendAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsSendLocation))]
    public Task<IActionResult> SmartWatsSendLocation([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smartwats/send_location")] HttpRequest request) =>
        smartWats.SendLocationAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsSendContact))]
    public Task<IActionResult> SmartWatsSendContact([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smartwats/send_contact")] HttpRequest request) =>
        smartWats.SendContactAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsSendAudio))]
    public Task<IActionResult> SmartWatsSendAudio([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smartwats/send_audio")] HttpRequest request) =>
        smartWats.SendAudioAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsSendAlbum))]
    public Task<IActionResult> SmartWatsSendAlbum([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smartwats/send_album")] HttpRequest request) =>
        smartWats.SendAlbumAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsSendCarousel))]
    public Task<IActionResult> SmartWatsSendCarousel([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smartwats/send_carousel")] HttpRequest request) =>
        smartWats.SendCarouselAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsGetGroups))]
    public Task<IActionResult> SmartWatsGetGroups([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smartwats/get_groups")] HttpRequest request) =>
        smartWats.GroupsAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsSendGroup))]
    public Task<IActionResult> SmartWatsSendGroup([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smartwats/send_group")] HttpRequest request) =>
        smartWats.SendGroupAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsCheckPhone))]
    public Task<IActionResult> SmartWatsCheckPhone([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smartwats/check_phone")] HttpRequest request) =>
        smartWats.CheckPhoneAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmartWatsCheckPhonesBatch))]
    public Task<IActionResult> SmartWatsCheckPhonesBatch([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smartwats/check_phones_batch")] HttpRequest request) =>
        smartWats.CheckPhonesAsync(request, request.HttpContext.RequestAborted);
}
