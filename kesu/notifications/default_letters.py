# ruff: noqa: E501 - letter texts keep their paragraphs on one line
"""The default letters (SPEC IN-4, FU-2, RS-4, SV-3) in zh-hans, zh-hant and en.

Migration 0003 copies them into LetterTemplate rows, which administrators then edit; the
letter service falls back to them only when a row is missing (e.g. a flushed test database).
"""

from __future__ import annotations

ACK_ZH_HANS = """尊敬的{{ customer_name }}：

您好！我们已于{{ received_at }}收到您的投诉，受理编号为 {{ number }}。
{% if reply_due %}我们将认真调查核实，并于{{ reply_due }}前给您答复{% if close_due %}，预计于{{ close_due }}前处理完毕{% endif %}。{% else %}我们将认真调查核实，并尽快给您答复。{% endif %}
您可凭受理编号及登记的手机号码或电子邮箱随时查询处理进度。感谢您的信任与监督！

{{ company }} 客户服务部{% if hotline %}
客服热线：{{ hotline }}{% endif %}"""

ACK_ZH_HANT = """尊敬的{{ customer_name }}：

您好！我們已於{{ received_at }}收到您的投訴，受理編號為 {{ number }}。
{% if reply_due %}我們將認真調查核實，並於{{ reply_due }}前給您答覆{% if close_due %}，預計於{{ close_due }}前處理完畢{% endif %}。{% else %}我們將認真調查核實，並盡快給您答覆。{% endif %}
您可憑受理編號及登記的手機號碼或電子郵箱隨時查詢處理進度。感謝您的信任與監督！

{{ company }} 客戶服務部{% if hotline %}
客服熱線：{{ hotline }}{% endif %}"""

ACK_EN = """Dear {{ customer_name }},

We received your complaint on {{ received_at }} and registered it under number {{ number }}.
{% if reply_due %}We are looking into it and will reply by {{ reply_due }}{% if close_due %}; we expect to have handled it by {{ close_due }}{% endif %}.{% else %}We are looking into it and will reply as soon as we can.{% endif %}
You can follow its progress at any time with this number and the phone number or e-mail address you gave us. Thank you for telling us.

{{ company }} Customer Service{% if hotline %}
Hotline: {{ hotline }}{% endif %}"""

SMS_ZH_HANS = (
    "【{{ company }}】尊敬的{{ customer_name }}，我们就您的投诉（编号{{ number }}）致电回访，未能联系到您。"
    "请于{{ respond_by }}前{% if hotline %}致电{{ hotline }}{% else %}与我们联系{% endif %}，"
    "逾期未回复我们将视为处理完毕并结案。"
)
SMS_ZH_HANT = (
    "【{{ company }}】尊敬的{{ customer_name }}，我們就您的投訴（編號{{ number }}）致電回訪，未能聯繫到您。"
    "請於{{ respond_by }}前{% if hotline %}致電{{ hotline }}{% else %}與我們聯繫{% endif %}，"
    "逾期未回覆我們將視為處理完畢並結案。"
)
SMS_EN = (
    "[{{ company }}] Dear {{ customer_name }}, we called you about complaint {{ number }} but could not reach "
    "you. Please {% if hotline %}call us on {{ hotline }}{% else %}contact us{% endif %} by {{ respond_by }}; "
    "otherwise we will consider the matter handled and close the complaint."
)

APOLOGY_ZH_HANS = """尊敬的{{ customer_name }}：

关于您于{{ received_at }}反映的问题（投诉编号 {{ number }}），给您带来了不便和困扰，我们深表歉意。
{% if cause %}经调查，问题的原因是：{{ cause }}
{% endif %}{% if measures %}我们已采取以下措施：{{ measures }}
{% endif %}我们将以此为戒，认真改进产品和服务，避免类似问题再次发生。再次向您致以诚挚的歉意，感谢您的理解与支持！

{{ company }}
{{ today }}"""

APOLOGY_ZH_HANT = """尊敬的{{ customer_name }}：

關於您於{{ received_at }}反映的問題（投訴編號 {{ number }}），給您帶來了不便和困擾，我們深表歉意。
{% if cause %}經調查，問題的原因是：{{ cause }}
{% endif %}{% if measures %}我們已採取以下措施：{{ measures }}
{% endif %}我們將以此為戒，認真改進產品和服務，避免類似問題再次發生。再次向您致以誠摯的歉意，感謝您的理解與支持！

{{ company }}
{{ today }}"""

APOLOGY_EN = """Dear {{ customer_name }},

We are sincerely sorry for the trouble described in your complaint of {{ received_at }} (number {{ number }}).
{% if cause %}Our investigation found the cause: {{ cause }}
{% endif %}{% if measures %}We have taken these measures: {{ measures }}
{% endif %}We are taking this to heart and improving our products and service so that it does not happen again. Thank you for your patience and understanding.

{{ company }}
{{ today }}"""

RESULT_ZH_HANS = """尊敬的{{ customer_name }}：

您于{{ received_at }}提出的投诉（编号 {{ number }}）已处理完毕，现将处理结果函告如下：

一、原因：{{ cause|default:"经调查核实，详见处理措施。" }}
二、处理措施：{{ measures|default:result }}{% for remedy in remedies %}
    · {{ remedy.type }} {{ remedy.amount }} 元{% endfor %}
三、改进措施：{{ improvements|default:"我们已将此事纳入内部质量改进，防止类似问题再次发生。" }}

如您对处理结果有任何疑问，欢迎随时与我们联系{% if hotline %}（客服热线 {{ hotline }}）{% endif %}，我们将安排专人回访。感谢您的宝贵意见！

{{ company }} 客户服务部
{{ today }}"""

RESULT_ZH_HANT = """尊敬的{{ customer_name }}：

您於{{ received_at }}提出的投訴（編號 {{ number }}）已處理完畢，現將處理結果函告如下：

一、原因：{{ cause|default:"經調查核實，詳見處理措施。" }}
二、處理措施：{{ measures|default:result }}{% for remedy in remedies %}
    · {{ remedy.type }} {{ remedy.amount }} 元{% endfor %}
三、改進措施：{{ improvements|default:"我們已將此事納入內部品質改進，防止類似問題再次發生。" }}

如您對處理結果有任何疑問，歡迎隨時與我們聯繫{% if hotline %}（客服熱線 {{ hotline }}）{% endif %}，我們將安排專人回訪。感謝您的寶貴意見！

{{ company }} 客戶服務部
{{ today }}"""

RESULT_EN = """Dear {{ customer_name }},

Your complaint of {{ received_at }} (number {{ number }}) has been handled. This is the result.

1. Cause: {{ cause|default:"We looked into the matter; see the measures below." }}
2. Measures: {{ measures|default:result }}{% for remedy in remedies %}
    - {{ remedy.type }}: CNY {{ remedy.amount }}{% endfor %}
3. Improvements: {{ improvements|default:"We have added this case to our internal quality improvement so that it does not happen again." }}

If you have any question about the result, please contact us{% if hotline %} (hotline {{ hotline }}){% endif %}; someone will call you back. Thank you for your feedback.

{{ company }} Customer Service
{{ today }}"""

RECORD_ZH_HANS = """顾客投诉记录表

编号：{{ number }}　　受理时间：{{ received_at }}
投诉人：{{ customer_name }}　　电话：{{ contact_phone }}　　邮箱：{{ contact_email }}
渠道：{{ channel }}　　严重程度：{{ severity }}　　类别：{{ category }}　　状态：{{ status }}
产品/服务：{{ product }}　　订单号：{{ order_no }}　　地点：{{ location }}
投诉内容：{{ description }}
顾客诉求：{{ demand }}　　索赔金额：{{ amount_claimed }}
责任部门：{{ department }}　　处理人：{{ assignee }}　　填表人：{{ recorded_by }}
处理结果：{{ result }}{% for remedy in remedies %}
    · {{ remedy.type }} {{ remedy.amount }} 元{% endfor %}
（内部表单，不得外发）"""

RECORD_ZH_HANT = """顧客投訴記錄表

編號：{{ number }}　　受理時間：{{ received_at }}
投訴人：{{ customer_name }}　　電話：{{ contact_phone }}　　郵箱：{{ contact_email }}
渠道：{{ channel }}　　嚴重程度：{{ severity }}　　類別：{{ category }}　　狀態：{{ status }}
產品/服務：{{ product }}　　訂單號：{{ order_no }}　　地點：{{ location }}
投訴內容：{{ description }}
顧客訴求：{{ demand }}　　索賠金額：{{ amount_claimed }}
責任部門：{{ department }}　　處理人：{{ assignee }}　　填表人：{{ recorded_by }}
處理結果：{{ result }}{% for remedy in remedies %}
    · {{ remedy.type }} {{ remedy.amount }} 元{% endfor %}
（內部表單，不得外發）"""

RECORD_EN = """Complaint record

Number: {{ number }}    Received: {{ received_at }}
Complainant: {{ customer_name }}    Phone: {{ contact_phone }}    E-mail: {{ contact_email }}
Channel: {{ channel }}    Severity: {{ severity }}    Category: {{ category }}    Status: {{ status }}
Product or service: {{ product }}    Order: {{ order_no }}    Location: {{ location }}
What happened: {{ description }}
Customer's demand: {{ demand }}    Amount claimed: {{ amount_claimed }}
Department: {{ department }}    Handler: {{ assignee }}    Recorded by: {{ recorded_by }}
Result: {{ result }}{% for remedy in remedies %}
    - {{ remedy.type }}: CNY {{ remedy.amount }}{% endfor %}
(Internal form: never send to the customer.)"""

# (kind, language, subject, body, internal)
DEFAULTS: list[tuple[str, str, str, str, bool]] = [
    ("acknowledgement", "zh-hans", "您的投诉已受理（编号 {{ number }}）", ACK_ZH_HANS, False),
    ("acknowledgement", "zh-hant", "您的投訴已受理（編號 {{ number }}）", ACK_ZH_HANT, False),
    ("acknowledgement", "en", "We have received your complaint {{ number }}", ACK_EN, False),
    ("unreachable_sms", "zh-hans", "未能联系到您（投诉编号 {{ number }}）", SMS_ZH_HANS, False),
    ("unreachable_sms", "zh-hant", "未能聯繫到您（投訴編號 {{ number }}）", SMS_ZH_HANT, False),
    ("unreachable_sms", "en", "We could not reach you (complaint {{ number }})", SMS_EN, False),
    ("apology", "zh-hans", "致歉函（投诉编号 {{ number }}）", APOLOGY_ZH_HANS, False),
    ("apology", "zh-hant", "致歉函（投訴編號 {{ number }}）", APOLOGY_ZH_HANT, False),
    ("apology", "en", "Our apology (complaint {{ number }})", APOLOGY_EN, False),
    ("result", "zh-hans", "投诉处理结果函（编号 {{ number }}）", RESULT_ZH_HANS, False),
    ("result", "zh-hant", "投訴處理結果函（編號 {{ number }}）", RESULT_ZH_HANT, False),
    ("result", "en", "The result of your complaint {{ number }}", RESULT_EN, False),
    ("complaint_record", "zh-hans", "顾客投诉记录表 {{ number }}", RECORD_ZH_HANS, True),
    ("complaint_record", "zh-hant", "顧客投訴記錄表 {{ number }}", RECORD_ZH_HANT, True),
    ("complaint_record", "en", "Complaint record {{ number }}", RECORD_EN, True),
]
