"""What the people in the sample calls say, per language.

Customer reasons are written in natural, inflected forms so that tagging has to lemmatise (or stem) to
find them. Placeholders: {amt} an amount, {month} a month name, {pii} a spoken card number / phone / e-mail.
"""

from __future__ import annotations

LANGS = ("en", "hr", "hu", "ru", "zh")

# topic id -> language -> customer sentences that state the reason for the call
REASONS: dict[str, dict[str, list[str]]] = {
    "billing.unexpected_charge": {
        "en": [
            "There is an unexpected charge of {amt} euros on my bill.",
            "I see extra charges on my last invoice that I never agreed to.",
            "Why did you add an extra fee to my account this month?",
            "I think I was overcharged, there's a strange charge I don't recognise.",
            "My statement shows an unknown charge for something I never ordered.",
            "I got hit with an additional fee of {amt} euros and nobody told me.",
        ],
        "hr": [
            "Imam neočekivani trošak na računu od {amt} eura.",
            "Na računu mi se pojavila dodatna naknada koju nisam naručio.",
            "Zašto ste mi naplatili dodatnu naknadu ovaj mjesec?",
            "Vidim neki čudan trošak na zadnjem računu.",
            "Naplatili ste mi neočekivane troškove, ne razumijem zašto.",
            "Zovem zbog neočekivanog troška od {amt} eura.",
        ],
        "hu": [
            "Váratlan díjat látok a számlámon, {amt} forintot.",
            "Egy extra díj jelent meg a legutóbbi számlámon.",
            "Miért számoltak fel plusz díjat ebben a hónapban?",
            "Valami furcsa díjat találtam a számlán, nem tudom mi az.",
            "Váratlan díjak vannak a havi számlámon.",
        ],
        "ru": [
            "У меня в счёте неожиданное списание на {amt} рублей.",
            "В последнем счёте появилась лишняя плата, которую я не заказывал.",
            "Почему вы начислили дополнительную плату в этом месяце?",
            "Вижу какое-то странное списание, не понимаю за что.",
            "С меня взяли лишнюю плату, объясните пожалуйста.",
        ],
        "zh": [
            "我的账单上有一笔意外的费用，{amt}元。",
            "上个月的账单多了一笔额外费用。",
            "为什么这个月多收了我的钱？",
            "账单上有一笔莫名其妙的扣费。",
        ],
    },
    "billing.bill_explanation": {
        "en": [
            "Can you explain my bill? I really don't get it.",
            "I'd like someone to explain the invoice I received for {month}.",
            "I can't understand my bill, it's so confusing.",
            "What do all these lines on my bill mean?",
            "Could you go through the breakdown of my bill with me?",
        ],
        "hr": [
            "Možete li mi objasniti račun za {month}?",
            "Ne razumijem svoj račun, previše je stavki.",
            "Trebam objašnjenje računa za prošli mjesec.",
            "Što znače ove stavke na računu?",
            "Molim vas da mi objasnite račun, nije mi jasan.",
        ],
        "hu": [
            "Meg tudná magyarázni a számlámat?",
            "Nem értem a számlámat, túl sok tétel van rajta.",
            "Szeretném, ha valaki megmagyarázná a havi számlát.",
            "Mit jelentenek ezek a tételek a számlán?",
        ],
        "ru": [
            "Объясните, пожалуйста, мой счёт за {month}.",
            "Я не понимаю свой счёт, там слишком много строк.",
            "Мне нужна расшифровка счёта за прошлый месяц.",
            "Что означают эти строки в счёте?",
        ],
        "zh": [
            "你能给我解释一下账单吗？",
            "我看不懂我的账单，项目太多了。",
            "请帮我解释一下{month}的账单明细。",
            "账单上这些项目是什么意思？",
        ],
    },
    "payments.failed_payment": {
        "en": [
            "My card payment failed when I tried to pay the bill.",
            "The payment didn't go through, my card was declined.",
            "I tried to pay online but the payment keeps failing.",
            "Your website rejected my payment twice today.",
            "I've had a failed payment and now I'm worried about late fees.",
        ],
        "hr": [
            "Plaćanje karticom nije uspjelo.",
            "Pokušao sam platiti račun, ali plaćanje ne prolazi.",
            "Odbili su mi karticu kod plaćanja.",
            "Uplata nije prošla već dva puta.",
            "Imam problem s neuspjelim plaćanjem.",
        ],
        "hu": [
            "Nem sikerült a fizetés a kártyámmal.",
            "Próbáltam online fizetni, de a fizetés sikertelen volt.",
            "Elutasították a kártyás fizetésemet.",
            "Kétszer is sikertelen fizetésem volt ma.",
        ],
        "ru": [
            "У меня не прошёл платёж картой.",
            "Пытался оплатить счёт, но платёж не проходит.",
            "Банк отклонил мою оплату дважды.",
            "Оплата картой не прошла, что делать?",
        ],
        "zh": [
            "我刷卡付款失败了。",
            "我在网上缴费，但是付款一直不成功。",
            "我的银行卡支付被拒绝了。",
            "付款失败了两次。",
        ],
    },
    "payments.direct_debit": {
        "en": [
            "I want to set up a direct debit for my bills.",
            "My direct debit was cancelled and I don't know why.",
            "Can I change the bank account for the direct debit?",
            "The direct debit took the money twice this month.",
        ],
        "hr": [
            "Želim ugovoriti trajni nalog za plaćanje računa.",
            "Trajni nalog mi je otkazan bez razloga.",
            "Kako mogu promijeniti bankovni račun za trajni nalog?",
            "Preko trajnog naloga skinuli ste mi novac dvaput.",
        ],
        "hu": [
            "Csoportos beszedést szeretnék beállítani.",
            "Megszűnt a csoportos beszedésem, nem tudom miért.",
            "Hogyan módosíthatom a csoportos beszedés bankszámláját?",
            "A csoportos beszedéssel kétszer vontak le pénzt.",
        ],
        "ru": [
            "Хочу подключить автоплатёж для оплаты счетов.",
            "Мой автоплатёж почему-то отключился.",
            "Как поменять карту для автоплатежа?",
            "Автоплатёж списал деньги два раза.",
        ],
        "zh": [
            "我想开通自动扣款。",
            "我的自动扣款被取消了。",
            "怎么更改自动扣款的银行账户？",
            "自动扣款这个月扣了两次钱。",
        ],
    },
    "cancellation.request": {
        "en": [
            "I want to cancel my contract.",
            "Please cancel my subscription, I'm moving to another provider.",
            "How do I terminate my contract with you?",
            "I'd like to cancel the service at the end of the month.",
        ],
        "hr": [
            "Želim raskinuti ugovor.",
            "Molim vas da otkažete moju pretplatu, prelazim drugom operateru.",
            "Kako mogu raskinuti ugovor s vama?",
            "Htio bih otkazati uslugu do kraja mjeseca.",
        ],
        "hu": [
            "Fel szeretném mondani a szerződésemet.",
            "Kérem, mondják fel az előfizetésemet, szolgáltatót váltok.",
            "Hogyan tudom felmondani a szerződést?",
            "Szeretném lemondani a szolgáltatást a hónap végén.",
        ],
        "ru": [
            "Я хочу расторгнуть договор.",
            "Пожалуйста, отключите мою подписку, я ухожу к другому оператору.",
            "Как мне расторгнуть договор с вами?",
            "Хочу отказаться от услуги с конца месяца.",
        ],
        "zh": [
            "我想取消我的合同。",
            "请帮我取消订阅，我要换运营商了。",
            "怎么解除合同？",
            "我想在月底停止服务。",
        ],
    },
    "outage.no_service": {
        "en": [
            "I have no internet at all since this morning.",
            "My phone has no signal and the internet is down.",
            "There's a complete outage in my street, nothing works.",
            "The internet is not working at all, the router light is red.",
        ],
        "hr": [
            "Nemam interneta od jutros.",
            "Internet mi uopće ne radi, lampica na ruteru je crvena.",
            "Cijela ulica je bez signala, ništa ne radi.",
            "Imam potpuni prekid usluge već dva dana.",
        ],
        "hu": [
            "Reggel óta nincs internet.",
            "Egyáltalán nem működik az internet, a router pirosan villog.",
            "Az egész utcában nincs térerő, semmi nem működik.",
            "Két napja teljes szolgáltatáskimaradás van nálunk.",
        ],
        "ru": [
            "У меня с утра нет интернета.",
            "Интернет вообще не работает, на роутере горит красная лампочка.",
            "На всей улице нет связи, ничего не работает.",
            "Уже второй день полное отсутствие связи.",
        ],
        "zh": [
            "我家从早上开始就没有网络了。",
            "网络完全用不了，路由器亮红灯。",
            "整条街都没有信号。",
            "已经断网两天了。",
        ],
    },
    "outage.slow_internet": {
        "en": [
            "My internet is really slow in the evenings.",
            "The connection keeps dropping and the speed is terrible.",
            "I'm paying for fast broadband but the internet is so slow.",
            "Download speed is much lower than what my plan promises.",
        ],
        "hr": [
            "Internet mi je jako spor navečer.",
            "Veza stalno pada, a brzina je očajna.",
            "Plaćam brzi internet, a imam spori internet.",
            "Brzina interneta je puno manja nego što piše u paketu.",
        ],
        "hu": [
            "Nagyon lassú az internet esténként.",
            "Folyton megszakad a kapcsolat, és lassú az internet.",
            "Gyors internetet fizetek, de nagyon lassú a net.",
            "A letöltési sebesség sokkal kisebb, mint amit ígértek.",
        ],
        "ru": [
            "У меня очень медленный интернет по вечерам.",
            "Соединение постоянно обрывается, скорость ужасная.",
            "Плачу за быстрый тариф, а интернет очень медленный.",
            "Скорость интернета намного ниже заявленной.",
        ],
        "zh": [
            "晚上网速特别慢。",
            "网络老是掉线，网速很差。",
            "我交的是高速宽带，可是网速太慢了。",
            "下载速度比套餐说的低很多。",
        ],
    },
    "login.password_reset": {
        "en": [
            "I forgot my password and can't log in to the app.",
            "I need to reset my password for the online account.",
            "The app says my password is wrong and I'm locked out.",
            "I can't log in to my account, the reset link never arrives.",
        ],
        "hr": [
            "Zaboravio sam lozinku i ne mogu se prijaviti u aplikaciju.",
            "Trebam resetirati lozinku za korisnički račun.",
            "Aplikacija kaže da mi je lozinka pogrešna.",
            "Ne mogu se prijaviti, link za novu lozinku ne stiže.",
        ],
        "hu": [
            "Elfelejtettem a jelszavamat, és nem tudok belépni.",
            "Új jelszót szeretnék kérni az online fiókomhoz.",
            "Az alkalmazás szerint hibás a jelszavam.",
            "Nem tudok belépni a fiókomba, nem jön meg a jelszó emlékeztető.",
        ],
        "ru": [
            "Я забыл пароль и не могу войти в приложение.",
            "Мне нужно сбросить пароль от личного кабинета.",
            "Приложение пишет, что пароль неверный.",
            "Не могу войти в личный кабинет, ссылка для сброса пароля не приходит.",
        ],
        "zh": [
            "我忘记密码了，登录不了应用。",
            "我需要重置网上账户的密码。",
            "应用说我的密码错误。",
            "我登录不了账户，重置密码的链接一直没收到。",
        ],
    },
    "account.address_change": {
        "en": [
            "I've moved house and need to change my address.",
            "Please update my billing address, I moved last week.",
            "Can I change the address on my account?",
            "I'm moving next month and want to transfer the service to my new address.",
        ],
        "hr": [
            "Preselio sam se i trebam promijeniti adresu.",
            "Molim vas ažurirajte moju adresu, selio sam prošli tjedan.",
            "Mogu li promijeniti adresu na računu?",
            "Selim se idući mjesec i želim prebaciti uslugu na novu adresu.",
        ],
        "hu": [
            "Elköltöztem, és meg kell változtatnom a címemet.",
            "Kérem, módosítsák a számlázási címemet.",
            "Hogyan tudom módosítani a címet a fiókomban?",
            "Jövő hónapban költözöm, át szeretném vinni a szolgáltatást az új címre.",
        ],
        "ru": [
            "Я переехал и мне нужно сменить адрес.",
            "Пожалуйста, обновите мой адрес, я переехал на прошлой неделе.",
            "Могу ли я изменить адрес в договоре?",
            "В следующем месяце переезжаю, хочу перенести услугу на новый адрес.",
        ],
        "zh": [
            "我搬家了，需要更改地址。",
            "请帮我更新账单地址。",
            "我可以修改账户上的地址吗？",
            "我下个月搬家，想把服务转到新地址。",
        ],
    },
    "upgrades.plan_change": {
        "en": [
            "I'd like to upgrade my plan to get more data.",
            "Can I switch to a cheaper plan?",
            "I want to change my tariff, the current one is too expensive.",
            "What faster plans do you have? I want to upgrade.",
        ],
        "hr": [
            "Želio bih promijeniti paket, treba mi više podataka.",
            "Mogu li prijeći na jeftiniju tarifu?",
            "Želim promijeniti tarifu, ova je preskupa.",
            "Koje brže pakete imate? Želim bolji paket.",
        ],
        "hu": [
            "Szeretnék nagyobb csomagra váltani, több adat kell.",
            "Átválthatok egy olcsóbb csomagra?",
            "Tarifát szeretnék váltani, a mostani túl drága.",
            "Milyen gyorsabb csomagjaik vannak? Csomagot váltanék.",
        ],
        "ru": [
            "Хочу сменить тариф, мне нужно больше трафика.",
            "Можно перейти на более дешёвый тариф?",
            "Хочу поменять тариф, нынешний слишком дорогой.",
            "Какие у вас есть быстрые тарифы? Хочу сменить тариф.",
        ],
        "zh": [
            "我想升级套餐，要更多流量。",
            "我能换一个便宜点的套餐吗？",
            "我想更改套餐，现在的太贵了。",
            "你们有更快的套餐吗？我想升级。",
        ],
    },
    "delivery.device_delivery": {
        "en": [
            "My new phone hasn't been delivered yet.",
            "I ordered a router two weeks ago and the delivery still hasn't arrived.",
            "Where is my order? The courier never came.",
            "The tracking says delivered but I never received the package.",
        ],
        "hr": [
            "Još mi nije stigao novi mobitel.",
            "Naručio sam ruter prije dva tjedna, a dostava još nije stigla.",
            "Gdje je moja narudžba? Dostavljač nije došao.",
            "Piše da je paket isporučen, ali ja ga nisam dobio.",
        ],
        "hu": [
            "Még mindig nem érkezett meg az új telefonom.",
            "Két hete rendeltem routert, de a csomag még nem érkezett meg.",
            "Hol van a rendelésem? A futár nem jött.",
            "Azt írja, hogy kiszállították a csomagot, de nem kaptam meg.",
        ],
        "ru": [
            "Мне до сих пор не доставили новый телефон.",
            "Я заказал роутер две недели назад, а доставки всё нет.",
            "Где мой заказ? Курьер так и не приехал.",
            "Написано, что посылка доставлена, но я её не получил.",
        ],
        "zh": [
            "我的新手机还没送到。",
            "我两周前订了路由器，快递还没到。",
            "我的订单在哪里？快递员一直没来。",
            "显示已签收，但是我没收到包裹。",
        ],
    },
    "roaming.charges": {
        "en": [
            "I was charged a lot for roaming on my holiday.",
            "My roaming charges from the trip to Turkey are huge.",
            "Why is roaming so expensive? I only used a bit of data abroad.",
            "I got a big bill for data roaming last month.",
        ],
        "hr": [
            "Naplatili ste mi roaming na godišnjem odmoru.",
            "Troškovi roaminga s puta u Tursku su ogromni.",
            "Zašto je roaming tako skup? Koristio sam malo podataka u inozemstvu.",
            "Dobio sam veliki račun za roaming podataka.",
        ],
        "hu": [
            "Nagyon sokat számláztak a roamingért a nyaralás alatt.",
            "A törökországi út roaming díja óriási.",
            "Miért ilyen drága a roaming? Alig használtam netet külföldön.",
            "Magas roaming számlát kaptam a múlt hónapra.",
        ],
        "ru": [
            "С меня взяли очень много за роуминг в отпуске.",
            "Счёт за роуминг после поездки в Турцию огромный.",
            "Почему роуминг такой дорогой? Я почти не пользовался интернетом за границей.",
            "Пришёл большой счёт за роуминг в прошлом месяце.",
        ],
        "zh": [
            "我出国旅游的漫游费太高了。",
            "去土耳其的国际漫游费用特别贵。",
            "为什么漫游这么贵？我在国外只用了一点流量。",
            "上个月收到一大笔漫游账单。",
        ],
    },
}

# The planted incident: a new paper bill fee (tagged billing.unexpected_charge).
PAPER_FEE: dict[str, list[str]] = {
    "en": [
        "There's a new paper bill fee on my invoice, I never asked for that.",
        "Why am I paying a paper bill fee of {amt} euros now?",
        "I see an extra fee for the paper bill, what is this unexpected charge?",
        "You've added a paper bill fee without telling me.",
    ],
    "hr": [
        "Na računu mi je nova naknada za papirnati račun.",
        "Zašto plaćam naknadu za papirnati račun od {amt} eura?",
        "Pojavila se dodatna naknada za papirnati račun, to nisam tražio.",
    ],
    "hu": [
        "Papírszámla díjat számoltak fel nekem, {amt} forintot.",
        "Miért kell most papírszámla díjat fizetnem?",
        "Új papírszámla díj jelent meg a számlámon.",
    ],
    "ru": [
        "В счёте появилась плата за бумажный счёт.",
        "Почему с меня берут плату за бумажный счёт, {amt} рублей?",
        "Вы добавили плату за бумажный счёт без предупреждения.",
    ],
    "zh": [
        "我的账单上多了一笔纸质账单费。",
        "为什么要收纸质账单费{amt}元？",
        "你们加了纸质账单费也没通知我。",
    ],
}

# The planted emerging problem: eSIM activation fails (no topic covers it).
ESIM: dict[str, list[str]] = {
    "en": [
        "My eSIM activation keeps failing, the activation code is rejected.",
        "I scanned the QR code but the esim activation does not complete.",
        "The new esim won't activate, it says the activation code is invalid.",
        "I'm stuck on esim activation since yesterday.",
    ],
    "hr": [
        "Aktivacija eSIM-a mi ne uspijeva, aktivacijski kod ne radi.",
        "Skenirao sam QR kod, ali esim aktivacija ne završava.",
        "Novi esim se ne aktivira, piše da je aktivacijski kod neispravan.",
    ],
}

# Calls that match no topic at all (opening hours, a question about a shop).
OTHER: dict[str, list[str]] = {
    "en": ["What are the opening hours of your shop in the city centre?", "I just wanted to ask a general question."],
    "hr": ["Koje je radno vrijeme vaše poslovnice u centru?", "Samo sam htio nešto pitati."],
    "hu": ["Mikor van nyitva az üzletük a belvárosban?", "Csak egy általános kérdésem lenne."],
    "ru": ["Во сколько открывается ваш офис в центре?", "Я просто хотел кое-что уточнить."],
    "zh": ["你们市中心的营业厅几点开门？", "我只是想问一个问题。"],
}

GREETINGS: dict[str, list[str]] = {
    "en": [
        "Good morning, thank you for calling, my name is {agent}, how can I help you?",
        "Hello, welcome to customer service, this is {agent}. How may I help?",
        "Good afternoon, you're speaking with {agent}, how can I help you today?",
    ],
    "hr": [
        "Dobar dan, hvala što ste nazvali, zovem se {agent}, kako vam mogu pomoći?",
        "Dobro jutro, korisnička služba, {agent} pri telefonu. Izvolite?",
    ],
    "hu": [
        "Jó napot kívánok, {agent} vagyok, miben segíthetek?",
        "Jó reggelt, ügyfélszolgálat, {agent} beszél. Miben segíthetek?",
    ],
    "ru": [
        "Добрый день, спасибо за звонок, меня зовут {agent}, чем могу помочь?",
        "Здравствуйте, служба поддержки, {agent}. Чем могу помочь?",
    ],
    "zh": ["您好，感谢您的来电，我是{agent}，请问有什么可以帮您？", "您好，客服中心，我是{agent}，请讲。"],
}
BARE_OPENINGS: dict[str, list[str]] = {
    "en": ["Yes?", "Customer service."],
    "hr": ["Da?", "Korisnička služba."],
    "hu": ["Igen?", "Ügyfélszolgálat."],
    "ru": ["Да?", "Поддержка."],
    "zh": ["喂？", "客服。"],
}
EMPATHY: dict[str, list[str]] = {
    "en": ["I'm sorry to hear that, I understand how frustrating that is.", "I apologise for the trouble."],
    "hr": ["Žao mi je zbog toga, razumijem kako se osjećate.", "Ispričavam se zbog neugodnosti."],
    "hu": ["Sajnálom, megértem, hogy ez bosszantó.", "Elnézést kérek a kellemetlenségért."],
    "ru": ["Мне очень жаль, я понимаю, как это неприятно.", "Приношу извинения за неудобства."],
    "zh": ["非常抱歉，我理解您的心情。", "给您带来不便，非常抱歉。"],
}
AGENT_REPLIES: dict[str, list[str]] = {
    "en": [
        "Let me check that in the system for you.",
        "One moment please, I'm looking at your account.",
        "I can see it here, I'll sort that out right away.",
        "I've made the change, it will show within a day.",
    ],
    "hr": [
        "Provjerit ću to u sustavu.",
        "Samo trenutak, gledam vaše podatke.",
        "Vidim to ovdje, odmah ću riješiti.",
        "Napravio sam promjenu, bit će vidljiva sutra.",
    ],
    "hu": [
        "Megnézem a rendszerben.",
        "Egy pillanat, nézem az adatait.",
        "Látom, azonnal elintézem.",
        "Elvégeztem a módosítást, holnapra látszani fog.",
    ],
    "ru": [
        "Сейчас проверю в системе.",
        "Одну минуту, смотрю ваши данные.",
        "Вижу, сейчас всё исправлю.",
        "Я внёс изменения, они вступят в силу завтра.",
    ],
    "zh": [
        "我帮您在系统里查一下。",
        "请稍等，我在看您的资料。",
        "我看到了，马上帮您处理。",
        "已经帮您改好了，明天生效。",
    ],
}
CUSTOMER_FOLLOWUPS: dict[str, list[str]] = {
    "en": ["Okay, thank you.", "Alright, I'll wait.", "That's good to know.", "Fine, go ahead."],
    "hr": ["Dobro, hvala.", "U redu, čekam.", "Dobro je to znati.", "Može, izvolite."],
    "hu": ["Rendben, köszönöm.", "Jó, várok.", "Ezt jó tudni.", "Rendben, csinálja."],
    "ru": ["Хорошо, спасибо.", "Ладно, подожду.", "Понятно.", "Хорошо, давайте."],
    "zh": ["好的，谢谢。", "好，我等一下。", "明白了。", "行，您处理吧。"],
}
PII: dict[str, list[str]] = {
    "en": ["My card number is {card}.", "You can call me back on {phone}.", "My e-mail is {email}."],
    "hr": ["Broj kartice mi je {card}.", "Možete me nazvati na {phone}.", "Moj e-mail je {email}."],
    "hu": ["A kártyaszámom {card}.", "Visszahívhatnak a {phone} számon.", "Az e-mail címem {email}."],
    "ru": ["Номер моей карты {card}.", "Перезвоните мне на {phone}.", "Моя почта {email}."],
    "zh": ["我的卡号是{card}。", "您可以打{phone}联系我。", "我的邮箱是{email}。"],
}
RESOLUTION: dict[str, list[str]] = {
    "en": ["Does that solve your problem?", "Is everything clear now?", "Is there anything else I can help with?"],
    "hr": ["Je li vam to riješilo problem?", "Je li sada sve jasno?", "Mogu li vam još nečim pomoći?"],
    "hu": ["Ez megoldja a problémáját?", "Most már minden világos?", "Segíthetek még valamiben?"],
    "ru": ["Это решило вашу проблему?", "Теперь всё понятно?", "Могу ли я ещё чем-то помочь?"],
    "zh": ["这样解决您的问题了吗？", "现在都清楚了吗？", "还有什么可以帮您的吗？"],
}
CLOSINGS: dict[str, list[str]] = {
    "en": ["Thank you for calling, have a nice day. Goodbye.", "Thanks for your call, goodbye."],
    "hr": ["Hvala na pozivu, ugodan dan. Doviđenja.", "Hvala vam, doviđenja."],
    "hu": ["Köszönöm a hívását, további szép napot. Viszonthallásra.", "Köszönöm, viszonthallásra."],
    "ru": ["Спасибо за звонок, хорошего дня. До свидания.", "Спасибо, всего доброго, до свидания."],
    "zh": ["感谢您的来电，祝您生活愉快，再见。", "谢谢您的来电，再见。"],
}
ABRUPT_ENDS: dict[str, list[str]] = {
    "en": ["Okay.", "Right, done."],
    "hr": ["Dobro.", "Gotovo."],
    "hu": ["Jó.", "Kész."],
    "ru": ["Ладно.", "Всё."],
    "zh": ["好。", "行了。"],
}
MONTHS: dict[str, list[str]] = {
    "en": ["September", "October"],
    "hr": ["rujan", "listopad"],
    "hu": ["szeptember", "október"],
    "ru": ["сентябрь", "октябрь"],
    "zh": ["九月", "十月"],
}
AGENT_NAMES = ["Ana", "Marko", "Eva", "Peter", "Olga", "Ivan", "Li Na", "Zoltan", "Maja", "Tom"]
OPENERS: dict[str, list[str]] = {
    "en": ["Hi, ", "Hello, ", "Yes, hello. ", "", "Hi there. "],
    "hr": ["Dobar dan, ", "Bok, ", "Da, dobar dan. ", ""],
    "hu": ["Jó napot, ", "Szia, ", "Igen, jó napot. ", ""],
    "ru": ["Здравствуйте, ", "Добрый день, ", "Да, здравствуйте. ", ""],
    "zh": ["你好，", "您好，", ""],
}
ALSO: dict[str, str] = {
    "en": "And another thing. ",
    "hr": "I još nešto. ",
    "hu": "És még valami. ",
    "ru": "И ещё. ",
    "zh": "还有，",
}
THANKS: dict[str, list[str]] = {
    "en": ["No, that's all, thanks.", "Yes, thank you very much."],
    "hr": ["Ne, to je sve, hvala.", "Da, hvala vam puno."],
    "hu": ["Nem, ennyi volt, köszönöm.", "Igen, nagyon köszönöm."],
    "ru": ["Нет, это всё, спасибо.", "Да, большое спасибо."],
    "zh": ["没有了，谢谢。", "好的，非常感谢。"],
}
NAMES: dict[str, list[str]] = {
    "en": ["john.smith", "mary.jones", "d.brown", "sarah.k"],
    "hr": ["ivan.horvat", "ana.kovac", "marko.babic"],
    "hu": ["nagy.eva", "kovacs.peter", "szabo.anna"],
    "ru": ["ivanov.sergey", "olga.petrova", "dmitry.k"],
    "zh": ["wang.lei", "li.na", "zhang.wei"],
}
