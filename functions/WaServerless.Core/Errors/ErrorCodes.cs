namespace WaServerless.Core.Errors;

/// <summary>The stable error_code values clients branch on. Never rename one: add a new code instead.</summary>
public static class ErrorCodes
{
    public const string InvalidKey = "INVALID_KEY";
    public const string KeyInactive = "KEY_INACTIVE";
    public const string AccountSuspended = "ACCOUNT_SUSPENDED";
    public const string SubscriptionExpired = "SUBSCRIPTION_EXPIRED";
    public const string AdminKeyRequired = "ADMIN_KEY_REQUIRED";
    public const string AdminApiDisabled = "ADMIN_API_DISABLED";

    /// <summary>An OAuth2 access token that is unknown, or whose client was revoked (401, WWW-Authenticate error="invalid_token").</summary>
    public const string InvalidToken = "INVALID_TOKEN";

    /// <summary>An OAuth2 access token past its expiry: ask POST /api/oauth2/token for a new one.</summary>
    public const string TokenExpired = "TOKEN_EXPIRED";

    /// <summary>POST /api/oauth2/token's refusals, RFC 6749 section 5.2's error values in upper case.</summary>
    public const string OAuthInvalidRequest = "INVALID_REQUEST";
    public const string OAuthInvalidClient = "INVALID_CLIENT";
    public const string OAuthUnauthorizedClient = "UNAUTHORIZED_CLIENT";
    public const string OAuthUnsupportedGrantType = "UNSUPPORTED_GRANT_TYPE";
    public const string OAuthClientNotFound = "CLIENT_NOT_FOUND";

    public const string RateLimited = "RATE_LIMITED";
    public const string RecipientDailyCap = "RECIPIENT_DAILY_CAP";
    public const string RecipientOptedOut = "RECIPIENT_OPTED_OUT";
    public const string RecipientNotOptedIn = "RECIPIENT_NOT_OPTED_IN";
    public const string OtpCooldown = "OTP_COOLDOWN";
    public const string MediaTooLarge = "MEDIA_TOO_LARGE";

    public const string WhatsAppDisconnected = "WHATSAPP_DISCONNECTED";
    public const string NotActivated = "NOT_ACTIVATED";
    public const string SessionNotFound = "SESSION_NOT_FOUND";
    public const string SessionNotPairing = "SESSION_NOT_PAIRING";

    /// <summary>The session's engine does not pair that way (the Cloud API has no pairing at all).</summary>
    public const string PairingNotSupported = "PAIRING_NOT_SUPPORTED";

    /// <summary>The session's engine cannot send this kind of message (a Meta template on WhatsApp Web, buttons where their fallback is refused).</summary>
    public const string MessageTypeNotSupported = "MESSAGE_TYPE_NOT_SUPPORTED";
    public const string InvalidEngine = "INVALID_ENGINE";

    /// <summary>The session's engine cannot do what was asked of it (groups or number checks on the Cloud API).</summary>
    public const string FeatureNotSupported = "FEATURE_NOT_SUPPORTED";
    public const string PhoneNumberInUse = "PHONE_NUMBER_IN_USE";

    public const string AccountNotFound = "ACCOUNT_NOT_FOUND";
    public const string KeyNotFound = "KEY_NOT_FOUND";
    public const string InvalidPlan = "INVALID_PLAN";
    public const string InvalidField = "INVALID_FIELD";

    public const string MissingContentType = "MISSING_CONTENT_TYPE";
    public const string UnsupportedContentType = "UNSUPPORTED_CONTENT_TYPE";

    /// <summary>An Accept header that excludes JSON, on a surface that answers 406 for it (SMSGlobal's).</summary>
    public const string NotAcceptable = "NOT_ACCEPTABLE";
    public const string UnsupportedCharset = "UNSUPPORTED_CHARSET";
    public const string MalformedBody = "MALFORMED_BODY";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UploadNotSupported = "UPLOAD_NOT_SUPPORTED";

    public const string UnknownField = "WRONG_FIELD_NAME";
    public const string DuplicateField = "DUPLICATE_FIELD";
    public const string MissingRecipient = "MISSING_RECIPIENT";
    public const string InvalidRecipient = "INVALID_RECIPIENT";
    public const string MissingContent = "MISSING_CONTENT";
    public const string ConflictingMessageTypes = "CONFLICTING_MESSAGE_TYPES";
    public const string MessageTypeMismatch = "MESSAGE_TYPE_MISMATCH";
    public const string TextTooLong = "TEXT_TOO_LONG";
    public const string InvalidPriority = "INVALID_PRIORITY";
    public const string InvalidMediaUrl = "INVALID_MEDIA_URL";

    /// <summary>A media URL whose host is (or resolves to) a loopback, private, link-local or reserved address.</summary>
    public const string MediaUrlNotPublic = "MEDIA_URL_NOT_PUBLIC";
    public const string InvalidFilename = "INVALID_FILENAME";
    public const string InvalidLocation = "INVALID_LOCATION";
    public const string InvalidContact = "INVALID_CONTACT";
    public const string InvalidButtons = "INVALID_BUTTONS";
    public const string InvalidCopyCode = "INVALID_COPY_CODE";
    public const string InvalidList = "INVALID_LIST";

    public const string InvalidPoll = "INVALID_POLL";
    public const string InvalidAlbum = "INVALID_ALBUM";
    public const string InvalidCarousel = "INVALID_CAROUSEL";
    public const string InvalidTemplateMessage = "INVALID_TEMPLATE_MESSAGE";
    public const string InvalidIdempotencyKey = "INVALID_IDEMPOTENCY_KEY";
    public const string IdempotencyMismatch = "IDEMPOTENCY_MISMATCH";

    public const string QuotaExceeded = "QUOTA_EXCEEDED";

    /// <summary>The account's messages for the UTC day (its plan's DailyMessages) are used up: 429 until midnight UTC.</summary>
    public const string DailyLimitReached = "DAILY_LIMIT_REACHED";

    /// <summary>The account has as many sessions as its plan allows (MaxSessions).</summary>
    public const string SessionLimitReached = "SESSION_LIMIT_REACHED";

    public const string BulkNotAllowed = "BULK_NOT_ALLOWED";
    public const string CampaignNotFound = "CAMPAIGN_NOT_FOUND";
    public const string CampaignNotActive = "CAMPAIGN_NOT_ACTIVE";
    public const string InvalidRecipients = "INVALID_RECIPIENTS";
    public const string InvalidTemplate = "INVALID_TEMPLATE";
    public const string InvalidSchedule = "INVALID_SCHEDULE";
    public const string DuplicateRecipient = "DUPLICATE_RECIPIENT";
    public const string InvalidVariables = "INVALID_VARIABLES";
    public const string InvalidRow = "INVALID_ROW";

    public const string InvalidWebhookUrl = "INVALID_WEBHOOK_URL";
    public const string InvalidWebhookEvent = "INVALID_WEBHOOK_EVENT";
    public const string WebhookLimitReached = "WEBHOOK_LIMIT_REACHED";
    public const string WebhookNotFound = "WEBHOOK_NOT_FOUND";
    public const string WebhooksNotConfigured = "WEBHOOKS_NOT_CONFIGURED";

    public const string InvalidQuery = "INVALID_QUERY";
    public const string MessageNotFound = "MESSAGE_NOT_FOUND";
    public const string MessageNotCancellable = "MESSAGE_NOT_CANCELLABLE";

    public const string MessageNotResendable = "MESSAGE_NOT_RESENDABLE";
    public const string NotFound = "NOT_FOUND";
    public const string OptInNotFound = "OPT_IN_NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
    public const string InternalError = "INTERNAL_ERROR";
}
