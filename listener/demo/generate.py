"""Generate the demo stream: three days of public posts about the fictional telecom "Lumora".

Run ``python -m listener.demo.generate`` to rebuild ``listener/demo/stream.jsonl``. The output depends
only on the seed, so the committed file can be checked against a fresh run.

Lumora sells mobile, fibre and an app in Spain, Latin America, Brazil and the UK (``@lumora``,
``@lumora_ayuda``); Vireo Net (``@vireonet``) is its fictional competitor. Texts are built from hand-written
templates in Spanish (Spain and Latin American wording), English (UK) and Brazilian Portuguese, with
slots, typos, elongations and emoji so that no two posts are the same. On 2026-11-19 from 19:40 UTC an
app-login failure and a fibre outage in Madrid produce a burst of complaints, the event the early
warning should catch.

Each line is one post in the replay format. ``expected`` is the generator's ground truth:
``brand`` is the brand the post is about, ``complaint`` says whether it complains about that brand,
``kind`` is ``competitor`` for every post about Vireo Net and for posts comparing the two, and a
sarcastic complaint is a ``joke`` with ``complaint`` true. ``author_reach`` is the author's followers on
X and the subreddit's subscribers on Reddit, as ``listener.domain.Mention`` defines it.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from random import Random

SEED = 20261119
STREAM_PATH = Path(__file__).with_name("stream.jsonl")

WINDOW_START = datetime(2026, 11, 18, tzinfo=timezone.utc)
WINDOW_END = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)
BURST_START = datetime(2026, 11, 19, 19, 40, tzinfo=timezone.utc)
BURST_MINUTES = 50
# Minutes after the start at which burst posts arrive follow a gamma curve: a steep rise to a peak
# about eight minutes in, then a long decay, the usual shape of an incident on social media.
BURST_ARRIVAL_SHAPE = 2.5
BURST_ARRIVAL_SCALE = 5.5

LUMORA = "Lumora"
VIREO = "Vireo Net"
TOPICS = ("billing", "outage", "speed", "app", "support", "cancel", "roaming", "installation", "delivery")

# Share of local posting activity per local hour: quiet at night, peaks mid-morning and in the evening.
HOURLY_ACTIVITY = (3, 2, 1, 1, 1, 1, 2, 4, 7, 10, 12, 11, 9, 8, 8, 8, 8, 9, 11, 12, 12, 10, 7, 5)

X_EPOCH_MS = 1288834974657  # X snowflake ids count milliseconds from this instant.


@dataclass(frozen=True)
class Region:
    """A market Lumora serves: its language and wording, clock, cities, prices and communities.

    Offsets are fixed because none of these places changes clocks between 18 and 20 November.
    """

    code: str
    lang: str
    dialect: str
    utc_offset_hours: int
    cities: tuple[str, ...]
    prices: tuple[float, ...]
    price_prefix: str
    price_suffix: str
    price_decimals: int
    decimal_separator: str
    thousands_separator: str
    words: dict[str, tuple[str, ...]]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    subreddits: tuple[tuple[str, int], ...]

    def format_price(self, amount: float) -> str:
        """Write ``amount`` as people in this market write money, e.g. ``39,90 €`` or ``R$ 129,90``."""
        text = f"{amount:,.{self.price_decimals}f}"
        text = text.replace(",", "\0").replace(".", self.decimal_separator).replace("\0", self.thousands_separator)
        return f"{self.price_prefix}{text}{self.price_suffix}"


SPANISH_LAST_NAMES = ("García", "Fernández", "López", "Martín", "Sánchez", "Gómez", "Ruiz", "Díaz", "Moreno",
                      "Muñoz", "Romero", "Navarro", "Torres", "Domínguez", "Vázquez", "Gil", "Serrano", "Blanco")

REGIONS: dict[str, Region] = {
    "ES": Region(
        code="ES", lang="es", dialect="es_ES", utc_offset_hours=1,
        cities=("Madrid", "Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Zaragoza", "Málaga", "Valladolid"),
        prices=(29.90, 35.00, 39.90, 45.50, 52.90, 64.90),
        price_prefix="", price_suffix=" €", price_decimals=2, decimal_separator=",", thousands_separator=".",
        words={"phone": ("móvil",), "interj": ("En serio", "Vamos a ver", "Madre mía", "A ver"),
               "agency": ("Consumo", "la OCU", "Consumo y a la OCU"), "router": ("router",),
               "tail": ("", "¿A alguien más le pasa?", "Qué desastre.", "Vaya tela.", "Ya van {minutes} minutos así.",
                        "Menudo día.")},
        first_names=("Lucía", "María", "Carmen", "Javier", "Sergio", "Pablo", "Laura", "Marta", "Álvaro", "Raúl",
                     "Nuria", "Irene", "Daniel", "Jorge", "Cristina", "Andrea", "Iker", "Ainhoa", "Rocío", "Manu"),
        last_names=SPANISH_LAST_NAMES,
        subreddits=(("spain", 310000), ("askspain", 48000), ("LumoraTelecom", 3400)),
    ),
    "MX": Region(
        code="MX", lang="es", dialect="es_LA", utc_offset_hours=-6,
        cities=("CDMX", "Guadalajara", "Monterrey", "Puebla", "Querétaro", "Mérida"),
        prices=(399, 499, 599, 749, 899),
        price_prefix="$", price_suffix="", price_decimals=0, decimal_separator=".", thousands_separator=",",
        words={"phone": ("celular", "cel"), "interj": ("Neta", "No manches", "Oigan", "Qué onda"),
               "agency": ("Profeco",), "router": ("módem",),
               "tail": ("", "¿A alguien más le pasa?", "Qué desastre.", "Ya van {minutes} minutos así.")},
        first_names=("Alejandra", "Diego", "Fernanda", "Luis", "Mariana", "Emiliano", "Ximena", "Jesús", "Valeria",
                     "Rodrigo"),
        last_names=("Hernández", "Ramírez", "Cruz", "Flores", "Reyes", "Morales", "Ortiz", "Castillo", "Mendoza",
                    "Aguilar"),
        subreddits=(("mexico", 420000), ("LumoraTelecom", 3400)),
    ),
    "AR": Region(
        code="AR", lang="es", dialect="es_LA", utc_offset_hours=-3,
        cities=("Buenos Aires", "Córdoba", "Rosario", "Mendoza", "La Plata"),
        prices=(18900, 24500, 31200, 38700, 45900),
        price_prefix="$", price_suffix="", price_decimals=0, decimal_separator=",", thousands_separator=".",
        words={"phone": ("celu", "celular"), "interj": ("Che", "Posta", "Qué bronca", "Che, en serio"),
               "agency": ("Defensa del Consumidor",), "router": ("módem", "router"),
               "tail": ("", "¿A alguien más le pasa?", "Un desastre.", "Ya van {minutes} minutos así.")},
        first_names=("Martina", "Facundo", "Agustina", "Matías", "Sofía", "Nicolás", "Camila", "Tomás", "Lucas",
                     "Florencia"),
        last_names=("González", "Rodríguez", "Pérez", "Fernández", "Sosa", "Benítez", "Acosta", "Medina", "Herrera",
                    "Giménez"),
        subreddits=(("argentina", 390000), ("LumoraTelecom", 3400)),
    ),
    "CO": Region(
        code="CO", lang="es", dialect="es_LA", utc_offset_hours=-5,
        cities=("Bogotá", "Medellín", "Cali", "Barranquilla", "Bucaramanga"),
        prices=(89900, 109900, 129900, 159900),
        price_prefix="$", price_suffix="", price_decimals=0, decimal_separator=",", thousands_separator=".",
        words={"phone": ("celular",), "interj": ("Parce", "Uy no", "Qué embarrada", "Oigan"),
               "agency": ("la SIC", "la Superintendencia"), "router": ("módem", "router"),
               "tail": ("", "¿A alguien más le pasa?", "Qué embarrada.", "Ya van {minutes} minutos así.")},
        first_names=("Daniela", "Santiago", "Juliana", "Andrés", "Paula", "Sebastián", "Natalia", "Felipe",
                     "Catalina", "Julián"),
        last_names=("Rojas", "Vargas", "Castro", "Ospina", "Quintero", "Restrepo", "Cárdenas", "Zapata", "Londoño",
                    "Salazar"),
        subreddits=(("Colombia", 260000), ("LumoraTelecom", 3400)),
    ),
    "BR": Region(
        code="BR", lang="pt", dialect="pt", utc_offset_hours=-3,
        cities=("São Paulo", "São Paulo", "Niterói", "BH", "Brasília", "Fortaleza", "Curitiba", "Porto Alegre", "Recife", "Salvador", "Campinas"),
        prices=(99.90, 119.90, 139.90, 169.90, 199.90),
        price_prefix="R$ ", price_suffix="", price_decimals=2, decimal_separator=",", thousands_separator=".",
        words={"phone": ("celular", "cel"), "interj": ("Gente", "Sério", "Mds", "Pelo amor de Deus"),
               "agency": ("Procon", "Reclame Aqui", "Anatel"), "router": ("roteador", "modem"),
               "tail": ("", "Alguém mais?", "Que ódio.", "Já são {minutes} minutos assim.", "Socorro.")},
        first_names=("Ana", "João", "Beatriz", "Lucas", "Mariana", "Gabriel", "Larissa", "Pedro", "Juliana",
                     "Rafael", "Camila", "Thiago", "Fernanda", "Bruno", "Letícia", "Matheus"),
        last_names=("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Ferreira", "Almeida",
                    "Carvalho", "Ribeiro", "Rodrigues", "Gomes", "Barbosa"),
        subreddits=(("brasil", 480000), ("desabafos", 210000), ("LumoraTelecom", 3400)),
    ),
    "UK": Region(
        code="UK", lang="en", dialect="en", utc_offset_hours=0,
        cities=("London", "London", "Manchester", "Leeds", "Bristol", "Glasgow", "Birmingham", "Cardiff",
                "Sheffield"),
        prices=(24.99, 29.50, 32.00, 38.99, 45.00),
        price_prefix="£", price_suffix="", price_decimals=2, decimal_separator=".", thousands_separator=",",
        words={"phone": ("phone", "mobile"), "interj": ("Honestly", "Right", "Seriously", "Oh come on"),
               "agency": ("Ofcom", "the ombudsman"), "router": ("router", "hub"),
               "tail": ("", "Anyone else?", "Absolute joke.", "{minutes} minutes and counting.", "Sort it out.")},
        first_names=("Olivia", "Jack", "Amelia", "Harry", "Sophie", "Oliver", "Chloe", "George", "Emily", "James",
                     "Hannah", "Tom", "Megan", "Callum", "Ellie", "Ryan"),
        last_names=("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Thomas",
                    "Roberts", "Walker", "Wright", "Hughes", "Green", "Hall", "Clarke"),
        subreddits=(("unitedkingdom", 450000), ("CasualUK", 380000), ("LumoraTelecom", 3400)),
    ),
}

# Which market a post in each language comes from.
REGION_SHARES: dict[str, tuple[tuple[str, float], ...]] = {
    "es": (("ES", 0.55), ("MX", 0.2), ("AR", 0.12), ("CO", 0.13)),
    "en": (("UK", 1.0),),
    "pt": (("BR", 1.0),),
}

MADRID_AREAS = ("Chamberí", "Carabanchel", "Vallecas", "Salamanca", "Tetuán", "Moncloa", "Usera", "Arganzuela",
                "Latina", "Hortaleza", "Getafe", "Alcorcón", "Leganés", "Móstoles", "Lavapiés", "Chamartín")

LANGUAGE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "angry": ("😡", "🤬", "😤", "🙄", "", "", "😠", "👎"),
        "happy": ("🙌", "👏", "😍", "🔥", "", "💯", "👌"),
        "laugh": ("jajaja", "JAJAJA", "jajajaja", "😂", "😂😂", "🤣"),
        "tag": ("#Lumora", "#SinInternet", "", "", "", "#LumoraCaída"),
        "since": ("esta mañana", "anoche", "ayer por la tarde", "primera hora", "mediodía"),
        "trip": ("Londres", "Lisboa", "París", "Roma", "Nueva York", "Ámsterdam", "Miami"),
        "outlet": ("El Diario Tech", "Redes y Telecos", "Conectados"),
        "pct": ("3,5", "4", "4,9", "6", "2,8"),
        "millions": ("2,4", "3,1", "1,9", "2,7"),
        "slot_window": ("de 9 a 14", "de 8 a 13", "de 15 a 19", "entre las 10 y las 14"),
        "late": ("17:30", "18:10", "19:45", "16:50"),
    },
    "en": {
        "angry": ("😡", "🤬", "😤", "🙄", "", "", "😠", "🫠"),
        "happy": ("🙌", "👏", "👍", "🔥", "", "💯", "😊"),
        "laugh": ("😂", "lol", "😂😂", "lmao", "🤣", "😭"),
        "tag": ("#Lumora", "#LumoraDown", "", "", "", "#fail"),
        "since": ("this morning", "last night", "yesterday afternoon", "about 7am", "lunchtime"),
        "trip": ("Spain", "Portugal", "Lisbon", "Madrid", "Paris", "Dublin", "New York"),
        "outlet": ("TelcoWire", "The Broadband Brief", "ISP Review Weekly"),
        "pct": ("3.9", "4.5", "6", "8.8", "5.2"),
        "millions": ("1.8", "2.2", "1.4", "2.6"),
        "slot_window": ("8am to 1pm", "between 8 and 12", "1pm to 6pm", "the morning slot"),
        "late": ("5.30pm", "6pm", "half 5", "gone 6"),
    },
    "pt": {
        "angry": ("😡", "🤬", "😤", "🙄", "", "", "😠", "💀"),
        "happy": ("🙌", "👏", "😍", "🔥", "", "💯", "🥰"),
        "laugh": ("kkkkk", "KKKKKK", "kkkkkkk", "😂", "🤣", "rsrs"),
        "tag": ("#Lumora", "#SemInternet", "", "", "", "#LumoraFora"),
        "since": ("hoje cedo", "ontem à noite", "ontem à tarde", "umas 7 da manhã", "o almoço"),
        "trip": ("Portugal", "Lisboa", "Buenos Aires", "Santiago", "Orlando", "Madri", "Paris"),
        "outlet": ("Portal TeleNews", "Conexão Tech", "Mundo Banda Larga"),
        "pct": ("3,5", "4", "4,9", "6", "7,2"),
        "millions": ("2,4", "3,1", "1,9", "4,2"),
        "slot_window": ("das 8h às 12h", "das 13h às 18h", "de manhã", "entre 8h e 14h"),
        "late": ("17h30", "18h", "quase 19h", "16h50"),
    },
}

# Templates per group and dialect; "es" serves both Spanish dialects when neither has its own wording.
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "complaint:billing": {
        "es_ES": (
            "{addressee} me habéis cobrado dos veces la factura de este mes ({amount} x2). Quiero la devolución YA {angry}",
            "Otra vez cargo duplicado en la cuenta: {amount} el día 1 y otros {amount} el día 3. ¿Alguien de {brand} me lo explica?",
            "Contraté la tarifa de {amount} y la factura viene de {amount2}. Nadie me sabe decir de dónde salen los extras. {tag}",
            "Llevo {weeks} semanas reclamando un cobro duplicado a {brand} y cada vez que llamo me cuentan una historia distinta {angry}",
        ),
        "es_LA": (
            "{addressee} me cobraron dos veces el mes, {amount} y otra vez {amount}. ¿Me lo van a devolver o qué? {angry}",
            "{interj}, {addressee} me llegó la factura de {amount2} cuando mi plan es de {amount}. Nadie me explica nada.",
            "Cargo doble en la tarjeta otra vez. Ya es el segundo mes que {brand} me hace lo mismo {angry}",
            "Me cobraron un servicio que nunca contraté. Llevo {weeks} semanas reclamando y {brand} no responde.",
        ),
        "en": (
            "{addressee} you've charged me twice this month, {amount} on the 1st and again on the 3rd. I want it back {angry}",
            "Bill says {amount2} when my plan is {amount}. Nobody at {brand} can tell me where the extras come from. {tag}",
            "{weeks} weeks chasing {brand} for a double direct debit and every call gets a different story {angry}",
            "So {brand} have taken {amount} twice AGAIN. Second month running. {interj}.",
        ),
        "pt": (
            "{addressee} vocês me cobraram duas vezes esse mês, {amount} e depois {amount} de novo. Quero meu dinheiro de volta {angry}",
            "Meu plano é {amount} e a fatura veio {amount2}. Ninguém da {brand} sabe explicar essas cobranças extras. {tag}",
            "Cobrança em dobro no cartão de novo. Segundo mês seguido que a {brand} faz isso {angry}",
            "Tô há {weeks} semanas tentando estornar uma cobrança duplicada da {brand} e cada atendente fala uma coisa.",
        ),
    },
    "complaint:outage": {
        "es_ES": (
            "{addressee} llevo sin fibra desde {since} en {city}. ¿Para cuándo? Teletrabajo y así no hay manera {angry}",
            "Tercer corte de fibra esta semana en {city}. El {router} con la luz roja y {brand} sin dar señales de vida.",
            "¿Hay caída de {brand} en {city}? Sin internet desde hace {hours} horas y en la web no pone nada {tag}",
        ),
        "es_LA": (
            "{addressee} llevo {hours} horas sin internet en {city}. Trabajo desde casa, ¿me van a descontar el día? {angry}",
            "¿Se cayó {brand} en {city}? Se me fue el internet desde {since} y no vuelve.",
            "{interj}, otra vez sin fibra. Ya van {days} días esta semana que {brand} me deja sin servicio en {city}.",
        ),
        "en": (
            "{addressee} no broadband since {since} in {city}. I work from home, when's it coming back? {angry}",
            "Third fibre outage this week in {city}. Red light on the {router} and {brand} saying nothing.",
            "Is {brand} down in {city}? No internet for {hours} hours and the status page says everything's fine {tag}",
        ),
        "pt": (
            "{addressee} tô sem internet desde {since} aqui em {city}. Trabalho de casa, vão descontar o dia? {angry}",
            "Terceira queda da fibra essa semana em {city}. Luz vermelha no {router} e a {brand} nem aí.",
            "A {brand} caiu em {city}? Sem internet faz {hours} horas e no site não fala nada {tag}",
        ),
    },
    "complaint:speed": {
        "es_ES": (
            "Pago {paid} megas y el speedtest me da {got}. {addressee} esto es una broma, ¿no? {link}",
            "La fibra de {brand} va lentísima por las noches. De {paid} megas a {got} en cuanto dan las 9 {angry}",
            "Hola {support}, tengo contratados {paid} megas y no paso de {got} ni por cable. Ya he reiniciado el {router} {n} veces.",
        ),
        "es_LA": (
            "Pago {paid} megas y el speedtest me da {got}. {addressee} esto es una broma, ¿verdad? {link}",
            "Hola {support}, contraté {paid} megas y no paso de {got} ni con cable. Ya reinicié el {router} {n} veces.",
            "¿Soy yo o el internet de {brand} está lentísimo hoy en {city}? No cargan ni las historias de Instagram.",
        ),
        "en": (
            "Paying for {paid}Mb and the speed test says {got}. {addressee} is this a joke? {link}",
            "{brand} fibre is so slow every evening. {paid}Mb on paper, {got}Mb the second it gets to 8pm {angry}",
            "Hi {support}, I'm on the {paid}Mb plan and can't get past {got} even on a cable. Restarted the {router} {n} times.",
        ),
        "pt": (
            "Pago {paid} mega e o speedtest dá {got}. {addressee} isso é piada, né? {link}",
            "A internet da {brand} fica uma carroça toda noite. {paid} mega no papel e {got} depois das 20h {angry}",
            "Oi {support}, contratei {paid} mega e não passo de {got} nem no cabo. Já reiniciei o {router} {n} vezes.",
        ),
    },
    "complaint:app": {
        "es_ES": (
            "La app de {brand} no me deja entrar, me dice 'error de autenticación' todo el rato. ¿Os pasa a alguien más?",
            "Acabo de actualizar la app de {brand} y ahora se queda en blanco al abrirla. Genial, ya ni puedo ver la factura {angry}",
            "Cada vez que intento pagar desde la app de {brand} se cierra sola. {phone} nuevo, app actualizada, mismo problema.",
        ),
        "es_LA": (
            "La app de {brand} no me deja entrar, sale 'error de autenticación' todo el tiempo. ¿A alguien más le pasa?",
            "Acabo de actualizar la app de {brand} y ahora se queda en blanco. Ya ni puedo ver la factura {angry}",
            "Cada vez que quiero pagar desde la app de {brand} se cierra sola. {phone} nuevo, app actualizada, mismo problema.",
        ),
        "en": (
            "The {brand} app won't let me log in, just says 'authentication error' over and over. Anyone else?",
            "Updated the {brand} app and now it opens to a blank screen. Can't even see my bill {angry}",
            "Every time I try to pay in the {brand} app it crashes. New {phone}, latest version, same problem.",
        ),
        "pt": (
            "O app da {brand} não me deixa entrar, fica dando 'erro de autenticação'. Só comigo?",
            "Atualizei o app da {brand} e agora abre uma tela branca. Nem consigo ver a fatura {angry}",
            "Toda vez que tento pagar pelo app da {brand} ele fecha sozinho. {phone} novo, app atualizado, mesmo problema.",
        ),
    },
    "complaint:support": {
        "es_ES": (
            "{support} llevo {minutes} minutos esperando al teléfono para que al final me cuelguen. Qué vergüenza de atención al cliente.",
            "¿Hay alguien ahí? {support} os escribí por DM hace {days} días y ni un 'recibido' {angry}",
            "La persona que me ha atendido en la tienda de {brand} en {city} ha sido bordísima. Ni me miraba a la cara.",
        ),
        "es_LA": (
            "{support} llevo {minutes} minutos en espera y me colgaron. ¿Así tratan a sus clientes?",
            "¿Hay alguien ahí? {support} les escribí por DM hace {days} días y nada de nada {angry}",
            "Pésima la atención de {brand} en la tienda de {city}. Me trataron horrible y no me resolvieron nada.",
        ),
        "en": (
            "{support} {minutes} minutes on hold just to get cut off. Shocking customer service.",
            "Hello? Is anyone there? {support} I DMed you {days} days ago and not even a 'we've got your message' {angry}",
            "The bloke in the {brand} shop in {city} was so rude. Couldn't even be bothered to look up from his phone.",
        ),
        "pt": (
            "{support} {minutes} minutos esperando no telefone pra no fim desligarem na minha cara. Que atendimento vergonhoso.",
            "Tem alguém aí? {support} mandei DM faz {days} dias e nem um 'recebemos sua mensagem' {angry}",
            "Fui super mal atendido na loja da {brand} em {city}. O atendente nem olhou na minha cara.",
        ),
    },
    "complaint:cancel": {
        "es_ES": (
            "Quiero darme de baja de {brand} y me dicen que solo se puede por teléfono y en horario de oficina. Os denuncio en {agency}.",
            "{addressee} o me devolvéis los {amount} o voy a {agency}. Ya no aguanto más.",
            "Llevo {weeks} semanas intentando dar de baja la línea y me siguen cobrando. Hoy pido la hoja de reclamaciones.",
        ),
        "es_LA": (
            "Quiero cancelar mi cuenta con {brand} y me tienen dando vueltas hace {weeks} semanas. Ya puse la queja en {agency}.",
            "{addressee} si no me cancelan el contrato esta semana me voy con un abogado. {weeks} semanas cobrándome un servicio que ya no uso.",
            "Cancelé con {brand} hace un mes y me siguen cobrando {amount}. ¿Tengo que ir a {agency} para que me hagan caso?",
        ),
        "en": (
            "Trying to cancel {brand} and apparently it's phone only, office hours only. Off to {agency} I go.",
            "{addressee} refund my {amount} or I'm taking this to {agency}. I'm so done.",
            "{weeks} weeks trying to cancel my line and they're still taking money. Formal complaint going in today.",
        ),
        "pt": (
            "Quero cancelar a {brand} e só dá pelo telefone, em horário comercial. Vou abrir reclamação no {agency}.",
            "{addressee} ou vocês devolvem meus {amount} ou vou no {agency}. Cansei.",
            "Tô há {weeks} semanas tentando cancelar e continuam me cobrando. Se não resolver essa semana vou entrar na justiça.",
        ),
    },
    "complaint:roaming": {
        "es_ES": (
            "Estoy en {trip} y el roaming de {brand} no funciona. Sin datos ni llamadas, y eso que pago el bono internacional {angry}",
            "Vuelvo de {trip} y me encuentro {amount} de roaming en la factura. Me dijeron que estaba incluido. {addressee} explicad esto.",
            "{support} activé el roaming antes de viajar a {trip} y el {phone} dice 'sin servicio'. ¿Qué hago?",
        ),
        "es_LA": (
            "Estoy en {trip} y el roaming de {brand} no funciona. Sin datos ni llamadas, y pagué el paquete internacional {angry}",
            "Regresé de {trip} y me llegaron {amount} de roaming en la factura. Me dijeron que estaba incluido. {addressee} expliquen esto.",
            "{support} activé el roaming antes de viajar a {trip} y el {phone} dice 'sin servicio'. ¿Qué hago?",
        ),
        "en": (
            "In {trip} and {brand} roaming just doesn't work. No data, no calls, and I paid for the travel add-on {angry}",
            "Back from {trip} to a {amount} roaming charge. I was told it was included. {addressee} explain please.",
            "{support} turned roaming on before flying to {trip} and my {phone} just says 'no service'. What now?",
        ),
        "pt": (
            "Tô em {trip} e o roaming da {brand} não funciona. Sem dados, sem ligação, e paguei o pacote internacional {angry}",
            "Voltei de {trip} e veio {amount} de roaming na fatura. Disseram que tava incluso. {addressee} expliquem isso.",
            "{support} ativei o roaming antes de viajar pra {trip} e o {phone} só mostra 'sem serviço'. E agora?",
        ),
    },
    "complaint:installation": {
        "es_ES": (
            "Tercera vez que {brand} me da cita para instalar la fibra y el técnico no aparece. He pedido el día libre para nada {angry}",
            "{addressee} el técnico tenía que venir hoy {slot_window} y son las {late}. Ni una llamada.",
            "Me instalaron la fibra y dejaron el cable colgando por toda la fachada en {city}. ¿Esto es normal, {brand}?",
        ),
        "es_LA": (
            "Tercera vez que {brand} me agenda la instalación y el técnico nunca llega. Pedí el día en el trabajo para nada {angry}",
            "{addressee} el técnico tenía que venir hoy {slot_window} y ya son las {late}. Ni una llamada.",
            "Me instalaron la fibra y dejaron el cable colgando por toda la fachada. ¿Esto es normal, {brand}?",
        ),
        "en": (
            "Third time {brand} have booked my fibre install and the engineer hasn't turned up. Took the day off for nothing {angry}",
            "{addressee} engineer was due {slot_window} today and it's {late}. Not even a call.",
            "{brand} installed the fibre and left the cable hanging down the front of the house. Is that normal?",
        ),
        "pt": (
            "Terceira vez que a {brand} agenda a instalação e o técnico não aparece. Pedi folga no trabalho à toa {angry}",
            "{addressee} o técnico vinha hoje {slot_window} e já são {late}. Nem uma ligação.",
            "Instalaram a fibra e deixaram o cabo pendurado na fachada toda. Isso é normal, {brand}?",
        ),
    },
    "complaint:delivery": {
        "es_ES": (
            "Pedí el {router} nuevo de {brand} hace {days} días y el seguimiento sigue en 'preparando envío'. Pedido {order}.",
            "{addressee} el mensajero dice que me ha dejado el {router} pero aquí no ha llegado nada. Pedido {order} {angry}",
            "Me mandan un {router} que no es el que pedí y para cambiarlo tengo que esperar otros {days} días. Increíble, {brand}.",
        ),
        "es_LA": (
            "Pedí el {router} nuevo de {brand} hace {days} días y el seguimiento sigue en 'preparando envío'. Pedido {order}.",
            "{addressee} según el seguimiento me entregaron el {router} pero aquí no llegó nada. Pedido {order} {angry}",
            "Me mandaron un {router} que no es el que pedí y para cambiarlo tengo que esperar otros {days} días. Increíble, {brand}.",
        ),
        "en": (
            "Ordered the new {brand} {router} {days} days ago and tracking still says 'preparing for dispatch'. Order {order}.",
            "{addressee} courier says the {router} was delivered. It wasn't. Order {order} {angry}",
            "Got sent the wrong {router} and now I have to wait another {days} days for a swap. Brilliant, {brand}.",
        ),
        "pt": (
            "Pedi o {router} novo da {brand} faz {days} dias e o rastreio continua 'em preparação'. Pedido {order}.",
            "{addressee} o rastreio diz que o {router} foi entregue mas aqui não chegou nada. Pedido {order} {angry}",
            "Mandaram o {router} errado e pra trocar tenho que esperar mais {days} dias. Parabéns, {brand}.",
        ),
    },
    "praise": {
        "es_ES": (
            "Tengo que decirlo: la fibra de {brand} va como un tiro. {got_high} megas reales por wifi {happy}",
            "Me han resuelto la avería en {n} horas y el técnico majísimo. Así sí, {brand} {happy}",
            "Llevo {years} años con {brand} y cero problemas. No sé de qué se queja la gente.",
            "Gracias {support}, me habéis arreglado lo de la factura por DM en diez minutos {happy}",
            "He pasado de {got} a {got_high} megas cambiando el router que me mandó {brand}. Ni me lo cobraron {happy}",
            "Reconozco que la app nueva de {brand} está muy bien hecha. Por fin encuentro las facturas sin pelearme.",
            "Teletrabajo desde {city} con la fibra de {brand} y ni un corte en {months} meses. Bien por ellos.",
        ),
        "es_LA": (
            "Hay que decirlo: el internet de {brand} vuela. {got_high} megas por wifi {happy}",
            "Gracias {support}, me resolvieron lo de la factura por DM en diez minutos. Rapidísimos {happy}",
            "Llevo {years} años con {brand} y cero problemas. No sé de qué se queja la gente.",
            "El técnico de {brand} llegó puntual, instaló todo y hasta me explicó el {router}. Así da gusto {happy}",
            "Pasé de {got} a {got_high} megas con el {router} nuevo que me mandó {brand}. Y sin costo {happy}",
            "La verdad la app nueva de {brand} quedó muy bien. Por fin encuentro las facturas a la primera.",
            "Hago home office desde {city} con {brand} y ni un corte en {months} meses. Bien ahí.",
        ),
        "en": (
            "Credit where it's due, {brand} engineer turned up early and had the fibre sorted in 20 mins. Cheers {happy}",
            "The {brand} app is actually decent now, paid my bill in about ten seconds",
            "{years} years with {brand} and not a single outage. Touch wood 🤞",
            "{got_high}Mb over wifi on {brand} fibre in {city}. Very happy with that {happy}",
            "Went from {got}Mb to {got_high}Mb just by swapping to the new {brand} {router}. Free, too {happy}",
            "Rang {brand} about my bill expecting a fight, sorted in five minutes by {first_name}. Absolute star.",
            "Working from home in {city} on {brand} fibre, not one drop in {months} months. Fair play.",
        ),
        "pt": (
            "Vou elogiar porque é raro: o suporte da {brand} resolveu meu problema em {n} minutos pelo chat. Nota 10 {happy}",
            "Fibra da {brand} tá voando aqui em {city}, {got_high} mega no wifi {happy}",
            "A {brand} me ligou pra avisar que o técnico tava chegando. Pontual e educado. Que surpresa boa {happy}",
            "{years} anos com a {brand} e nunca tive dor de cabeça. Recomendo.",
            "Troquei o {router} pelo novo da {brand} e fui de {got} pra {got_high} mega. E sem pagar nada {happy}",
            "O app novo da {brand} ficou muito bom, paguei a fatura no pix em dois cliques.",
            "Home office aqui em {city} com a fibra da {brand} e nenhuma queda em {months} meses. Tá de parabéns.",
        ),
    },
    "question": {
        "es_ES": (
            "¿Alguien tiene la fibra de {brand} en {city}? ¿Qué tal os va? Me estoy pensando cambiarme.",
            "{support} ¿la tarifa de {amount} incluye roaming en {trip}? Viajo la semana que viene.",
            "Pregunta seria: ¿merece la pena el pack {brand} Fibra & Móvil o mejor contratarlo por separado?",
            "¿Alguien sabe si desde la app de {brand} se pueden descargar las facturas en PDF?",
            "Me mudo a {city} el mes que viene. ¿{brand} da fibra allí o tengo que buscar otra cosa?",
            "{support} ¿cuánto tarda la portabilidad si me paso a vosotros desde {rival}?",
        ),
        "es_LA": (
            "¿Alguien tiene internet de {brand} en {city}? ¿Qué tal les funciona? Estoy pensando en cambiarme.",
            "{support} ¿el plan de {amount} incluye roaming en {trip}? Viajo la próxima semana.",
            "¿Conviene el paquete {brand} Fibra & Móvil o sale mejor contratar por separado?",
            "¿Alguien sabe si se puede cambiar de plan desde la app de {brand} o hay que llamar?",
            "Me mudo a {city} el próximo mes. ¿{brand} tiene cobertura de fibra por allá?",
            "{support} ¿cuánto tarda la portabilidad si me cambio con ustedes desde {rival}?",
        ),
        "en": (
            "Anyone in {city} on {brand} fibre? Thinking of switching, how's it been?",
            "{support} does the {amount} plan include roaming in {trip}? Travelling next week.",
            "Is the {brand} Fibre & Mobile bundle worth it or am I better off getting them separately?",
            "Does the {brand} app let you change your plan or do you have to ring them?",
            "Moving to {city} next month. Does {brand} do full fibre there or should I look elsewhere?",
            "{support} how long does it take to move my number over from {rival}?",
        ),
        "pt": (
            "Alguém aí tem a fibra da {brand} em {city}? Vale a pena? Tô pensando em trocar.",
            "{support} o plano de {amount} tem roaming em {trip}? Viajo semana que vem.",
            "Compensa o combo {brand} Fibra & Móvel ou é melhor contratar separado?",
            "Alguém sabe se dá pra trocar de plano pelo app da {brand} ou tem que ligar?",
            "Vou me mudar pra {city} mês que vem. A {brand} tem fibra lá?",
            "{support} quanto tempo demora a portabilidade se eu vier da {rival}?",
        ),
    },
    "news": {
        "es": (
            "{brand} anuncia fibra de 10 Gb en {city} a partir de enero {link}",
            "{brand} subirá sus tarifas móviles un {pct} % desde el 1 de enero, según {outlet} {link}",
            "{brand} y {rival} pujan por espectro 5G en la subasta de esta semana {link}",
            "Nuevo récord para {brand}: {millions} millones de clientes de fibra en el tercer trimestre, según {outlet} {link}",
            "{brand} lanza una tarifa de fibra & móvil para jóvenes desde {amount} al mes {link}",
        ),
        "en": (
            "{brand} to launch 2Gb fibre in {city} next spring {link}",
            "{brand} prices to rise {pct}% from April under its annual price-rise clause, {outlet} reports {link}",
            "{brand} and {rival} both bidding in this week's 5G spectrum auction {link}",
            "{brand} reports {millions}m fibre customers in Q3, up on last year ({outlet}) {link}",
            "New {brand} SIM-only & broadband bundle from {amount} a month {link}",
        ),
        "pt": (
            "{brand} anuncia chegada da fibra de 1 Giga em {city} {link}",
            "{brand} reajusta planos em {pct}% a partir de janeiro, diz {outlet} {link}",
            "{brand} e {rival} disputam leilão de frequências do 5G nesta semana {link}",
            "{brand} chega a {millions} milhões de clientes de fibra no terceiro trimestre, segundo {outlet} {link}",
            "{brand} lança combo fibra & celular a partir de {amount} por mês {link}",
        ),
    },
    "joke": {
        "es_ES": (
            "Mi relación más estable es con el {router} de {brand}. {years} años y ni una discusión {laugh}",
            "La wifi de mi vecino se llama 'Lumora_no_es_gratis'. Mensaje recibido {laugh}",
            "Mi abuela cree que la fibra de {brand} es algo que se echa en los cereales {laugh}",
            "Le he puesto Router a mi gato porque, como el de {brand}, se pasa el día con las lucecitas encendidas {laugh}",
        ),
        "es_LA": (
            "Mi relación más estable es con el {router} de {brand}. {years} años y ni una pelea {laugh}",
            "El wifi de mi vecino se llama 'Lumora_no_es_gratis'. Mensaje recibido {laugh}",
            "Mi abuela cree que la fibra de {brand} es algo que se le echa al cereal {laugh}",
            "Le puse Router a mi gato porque, como el de {brand}, se la pasa parpadeando {laugh}",
        ),
        "en": (
            "My most stable relationship is with my {brand} {router}. {years} years, not one argument {laugh}",
            "Neighbour's wifi is called 'Lumora Pretty Fly for a WiFi' and honestly, respect {laugh}",
            "My nan thinks {brand} fibre is something you put on your cereal {laugh}",
            "Dad unplugs the {brand} {router} every night 'to let it rest' {laugh}",
        ),
        "pt": (
            "Meu pai desliga o {router} da {brand} toda noite pra ele 'descansar' {laugh}",
            "O wifi do vizinho se chama 'Lumora_Nao_E_De_Graca'. Recado dado {laugh}",
            "Minha vó acha que fibra da {brand} é suplemento alimentar {laugh}",
            "Relacionamento mais estável da minha vida é com o {router} da {brand}. {years} anos sem uma briga {laugh}",
        ),
    },
    "sarcasm:outage": {
        "es": ("Gracias {brand} por obligarme a leer un libro esta noche. Sin internet desde {since} 🙃",
               "Qué bonito es {city} sin internet. Gracias {brand} por la desconexión digital que no pedí 🙃"),
        "en": ("Thanks {brand} for making me read a book tonight. No internet since {since} 🙃",
               "Love a digital detox I didn't ask for. Cheers {brand} 🙃 {tag}"),
        "pt": ("Parabéns {brand}, a internet caiu de novo, já virou tradição aqui em {city} 👏👏",
               "Obrigado {brand} pelo detox digital que eu não pedi 🙃 {tag}"),
    },
    "sarcasm:speed": {
        "es": ("Me encanta pagar {paid} megas para que las webs carguen como en 2003. Gracias {brand} 👏",
               "La fibra de {brand} es tan rápida que me da tiempo a hacerme un café mientras carga un vídeo ☕"),
        "en": ("Love paying for {paid}Mb so pages can load like it's 2003. Cheers {brand} 👏",
               "{brand} fibre is so fast I can make a brew while one video buffers ☕"),
        "pt": ("Amo pagar {paid} mega pra página carregar igual em 2003. Valeu {brand} 👏",
               "A fibra da {brand} é tão rápida que dá tempo de passar um café enquanto o vídeo carrega ☕"),
    },
    "sarcasm:billing": {
        "es": ("Qué detallazo de {brand} cobrarme dos veces este mes, así no me olvido de ellos 🙃",
               "{brand} me cobra {amount} de más cada mes, debe ser el plan 'sorpresa' 🙃"),
        "en": ("Love how {brand} charge me twice a month, really keeps me on my toes 🙃",
               "{brand} adding {amount} of mystery charges to my bill. Must be the surprise plan 🙃"),
        "pt": ("Obrigado {brand} por me cobrar duas vezes, amo contribuir 🙃",
               "A {brand} me cobra {amount} a mais todo mês, deve ser o plano surpresa 🙃"),
    },
    "sarcasm:support": {
        "es": ("{minutes} minutos en espera con {brand}. Ya me sé la musiquita de memoria, por si queréis que la cante 🎶",
               "Lo bueno de escribir a {support} es que nunca te contestan nada que te pueda molestar 🙃"),
        "en": ("Shoutout to {brand} support for teaching me patience. {minutes} minutes on hold and counting 🎶",
               "Great thing about DMing {support} is they never reply with anything upsetting 🙃"),
        "pt": ("{minutes} minutos na espera da {brand}. Já decorei a musiquinha, se quiserem eu canto 🎶",
               "O bom de mandar DM pra {support} é que eles nunca respondem nada que te chateie 🙃"),
    },
    "compare:pro_lumora": {
        "es_ES": ("Me cambié de {rival} a {brand} hace {months} meses y no vuelvo ni loco. Más rápido y más barato.",
                  "Comparando facturas: {rival} {amount2}, {brand} {amount} y con más megas. No hay color."),
        "es_LA": ("Me cambié de {rival} a {brand} hace {months} meses y no regreso. Más rápido y más barato.",
                  "Comparando: {rival} me cobraba {amount2}, con {brand} pago {amount} y con más megas. Ni cómo compararlos."),
        "en": ("Switched from {rival} to {brand} {months} months ago and it's night and day. Should've done it sooner.",
               "{rival} wanted {amount2} to renew, {brand} gave me faster fibre for {amount}. Easy choice."),
        "pt": ("Saí da {rival} e fui pra {brand} faz {months} meses, melhor decisão do ano. Internet estável finalmente.",
               "{rival} queria {amount2} pra renovar, a {brand} me deu mais velocidade por {amount}. Nem pensei duas vezes."),
    },
    "compare:pro_vireo:billing": {
        "es_ES": ("{rival} me ofrece el doble de megas por {amount}. {brand}, o me igualáis la oferta o me voy.",
                  "Pago {amount2} a {brand} por lo mismo que {rival} da por {amount}. Algo no cuadra."),
        "es_LA": ("{rival} me ofrece el doble de megas por {amount}. {brand}, o me igualan la oferta o me voy.",
                  "Pago {amount2} a {brand} por lo mismo que {rival} da por {amount}. Algo no cuadra."),
        "en": ("{rival} are offering me double the speed for {amount}. {brand} match it or I'm off.",
               "Paying {brand} {amount2} for what {rival} do for {amount}. Doesn't add up."),
        "pt": ("A {rival} tá oferecendo o dobro da velocidade por {amount}. {brand}, cubram a oferta ou tô indo embora.",
               "Pago {amount2} na {brand} pelo que a {rival} cobra {amount}. A conta não fecha."),
    },
    "compare:pro_vireo:speed": {
        "es": ("Mi vecino con {rival} tiene {got_high} megas y yo con {brand} no paso de {got}. Algo falla.",
               "Probé el wifi de un amigo con {rival}: {got_high} megas. El mío con {brand}, {got}. Pues eso."),
        "en": ("Mate on {rival} gets {got_high}Mb, I'm paying more for {got}Mb with {brand}. Make it make sense.",
               "Speed test at my sister's on {rival}: {got_high}Mb. Mine on {brand}: {got}. Yeah."),
        "pt": ("Meu vizinho tem {rival} e pega {got_high} mega, eu pago mais caro na {brand} e não passo de {got}.",
               "Testei o wifi da casa da minha irmã, que é {rival}: {got_high} mega. O meu, {brand}: {got}. Pois é."),
    },
    "vireo:complaint:outage": {
        "es": ("{rival} otra vez sin servicio en {city}. Ya van {hours} horas.",
               "¿Se ha caído {rival}? Sin internet en {city} desde {since}."),
        "en": ("{rival} down again in {city}, {hours} hours now.", "Is {rival} down? Nothing in {city} since {since}."),
        "pt": ("{rival} fora do ar de novo em {city}. Já são {hours} horas.",
               "A {rival} caiu? Sem internet em {city} desde {since}."),
    },
    "vireo:complaint:speed": {
        "es": ("Pago {paid} megas con {rival} y me llegan {got}. Ni reclamando.",),
        "en": ("Paying for {paid}Mb with {rival}, getting {got}. Every single evening.",),
        "pt": ("Pago {paid} mega na {rival} e chega {got}. Todo santo dia.",),
    },
    "vireo:complaint:billing": {
        "es": ("{rival} me cobra {amount} de instalación que en teoría era gratis. Una vergüenza.",),
        "en": ("{rival} billed me {amount} for an install that was meant to be free. Fuming.",),
        "pt": ("A {rival} me cobrou {amount} de instalação que era pra ser grátis. Absurdo.",),
    },
    "vireo:complaint:support": {
        "es": ("Atención al cliente de {rival}: {minutes} minutos de espera para un 'no podemos ayudarle'.",),
        "en": ("{minutes} minutes on hold to {rival} to be told they 'can't see a fault'. Brilliant.",),
        "pt": ("{minutes} minutos esperando no atendimento da {rival} pra ouvir que 'não consta problema'.",),
    },
    "vireo:complaint:installation": {
        "es": ("El técnico de {rival} no ha venido. Segunda vez este mes.",
               "{rival} me tiene {days} días esperando la instalación. Ni fecha me dan."),
        "en": ("{rival} engineer no-show, second time this month.",
               "{days} days waiting on {rival} to install and still no date."),
        "pt": ("Técnico da {rival} não apareceu. De novo.", "{days} dias esperando a {rival} instalar e nem data me dão."),
    },
    "vireo:praise": {
        "es": ("Hay que reconocer que {rival} ha mejorado mucho. {months} meses sin un solo corte.",
               "El soporte de {rival} me lo arregló en {n} minutos. Chapó.",
               "Con {rival} me llegan {got_high} megas por wifi en {city}. Nada que decir."),
        "en": ("Fair play to {rival}, fixed my line the same day.", "{rival} fibre has been rock solid, {months} months no issues.",
               "{got_high}Mb on {rival} in {city}. Can't complain."),
        "pt": ("Tenho que admitir, a {rival} melhorou muito. {months} meses sem queda.",
               "Atendimento da {rival} resolveu tudo em {n} minutos, top.",
               "{got_high} mega no wifi com a {rival} aqui em {city}. Sem reclamações."),
    },
    "vireo:news": {
        "es": ("{rival} lanza una tarifa de fibra de {paid} megas por {amount} {link}",
               "{rival} amplía su red de fibra a {city} {link}"),
        "en": ("{rival} cuts the price of {paid}Mb fibre to {amount} {link}", "{rival} expands full fibre to {city} {link}"),
        "pt": ("{rival} lança plano de {paid} mega por {amount} {link}", "{rival} expande rede de fibra para {city} {link}"),
    },
    "burst:app": {
        "es_ES": (
            "La app de {brand} no carga. {angry} {tail}",
            "¿Se ha caído la app de {brand}? No puedo iniciar sesión. {tail}",
            "{support} no puedo iniciar sesión en la app, me da error todo el rato {angry}",
            "Intentando entrar en la app de {brand} y nada, pantalla de carga infinita. {tail}",
            "¿A alguien más no le carga la app de {brand}? {tag}",
            "App de {brand} caída, no puedo ni ver la factura. {angry} {tail}",
            "No puedo iniciar sesión en {brand}, me echa todo el rato. ¿Está caído? {tag}",
        ),
        "es_LA": (
            "La app de {brand} no carga, ¿se cayó? {tail}",
            "No puedo iniciar sesión en la app de {brand}, me marca error {angry}",
            "{interj}, ¿a alguien más no le abre la app de {brand}? {tag}",
            "{support} la app no me deja iniciar sesión y necesito pagar hoy. {angry} {tail}",
        ),
        "en": (
            "{brand} app won't load, can't log in at all. {angry} {tail}",
            "Anyone else unable to log in to the {brand} app? Keeps saying 'something went wrong'",
            "{support} can't log in to the app, is it down? {tail}",
            "{brand} app down? Stuck on the loading screen for ages {tag}",
            "So the {brand} app just logs me straight back out. Brilliant. {tag}",
            "Can't log in to {brand} and I need to top up before I travel tomorrow. {tail}",
        ),
        "pt": (
            "App da {brand} não abre. {angry} {tail}",
            "Não consigo fazer login no app da {brand}, alguém mais? {tag}",
            "{support} o app caiu? Não consigo entrar de jeito nenhum {angry}",
            "App da {brand} travado na tela de login, que ódio. {tail}",
            "Alguém mais com o app da {brand} fora? {tag}",
            "Tentando pagar a fatura e o app da {brand} não carrega. Sério isso? {tail}",
        ),
    },
    "burst:outage": {
        "es_ES": (
            "Sin fibra en {madrid_area} desde hace un rato. {brand} ¿qué pasa? {tail}",
            "{addressee} caída de fibra en {madrid_area}, {router} en rojo {angry}",
            "Se ha ido internet en todo el edificio en {madrid_area}. ¿Caída de {brand}? {tag}",
            "Fibra de {brand} caída en Madrid y la app tampoco carga. Justo a la hora del partido {angry}",
            "¿Avería de {brand} en Madrid? Sin internet y sin poder entrar en la app para reportarlo. {tail}",
        ),
    },
    "reply:metoo": {
        "es_ES": ("Me pasa exactamente lo mismo {angry}", "Ya somos dos. Y {support} ni caso.", "+1, mismo problema en {city}.",
                  "Pues a mí igual, y nadie da explicaciones. {tail}", "Lo mismo aquí, y ni un aviso."),
        "es_LA": ("Me pasa exactamente lo mismo {angry}", "Ya somos dos, y {support} sin responder.",
                  "+1, mismo problema en {city}.", "Igualito aquí, nadie explica nada. {tail}"),
        "en": ("Same here in {city} {angry}", "Exactly the same for me and support aren't answering.",
               "+1, mine's been the same for a while.", "You're not alone, mine's doing the exact same thing. {tail}"),
        "pt": ("Aqui também, em {city} {angry}", "Mesma coisa comigo e o suporte nem responde.",
               "+1, mesmo problema aqui.", "Não é só você, o meu tá igualzinho. {tail}"),
    },
    "reply:contrary_praise": {
        "es_ES": ("Pues a mí me va perfecto en {city}, será cosa de tu zona.",
                  "Yo llevo {years} años con {brand} y nunca he tenido problemas, la verdad."),
        "es_LA": ("A mí me funciona perfecto en {city}, ha de ser tu zona.",
                  "Yo llevo {years} años con {brand} y nunca tuve problemas, la verdad."),
        "en": ("Weird, mine's been fine in {city}. Might be your area?", "Been with {brand} {years} years and never had an issue tbh."),
        "pt": ("Estranho, aqui em {city} tá tudo normal. Deve ser a sua região.",
               "Tenho {brand} há {years} anos e nunca tive problema, sério."),
    },
    "reply:answer_complaint": {
        "es_ES": ("Ni se te ocurra. Llevo {weeks} semanas peleándome con ellos por la factura.",),
        "es_LA": ("Ni se te ocurra. Llevo {weeks} semanas peleando con ellos por la factura.",),
        "en": ("Wouldn't bother. Been {weeks} weeks arguing with them over my bill.",),
        "pt": ("Nem pensa nisso. Tô há {weeks} semanas brigando com eles por causa da fatura.",),
    },
    "reply:agree_praise": {
        "es": ("Totalmente, yo igual con {brand} en {city} {happy}", "Confirmo, a mí también me va de lujo."),
        "en": ("Same, it's been solid for me in {city} too {happy}", "Can confirm, no complaints here either."),
        "pt": ("Mesma experiência aqui em {city}, tá ótimo {happy}", "Confirmo, aqui também tá show."),
    },
    "reply:envy_complaint": {
        "es_ES": ("Qué suerte. A mí me va fatal desde hace {weeks} semanas y no pasa de {got} megas.",),
        "es_LA": ("Qué suerte. A mí me va pésimo desde hace {weeks} semanas y no pasa de {got} megas.",),
        "en": ("Lucky you. Mine's been awful for {weeks} weeks, can't get past {got}Mb.",),
        "pt": ("Que sorte. O meu tá péssimo há {weeks} semanas, não passa de {got} mega.",),
    },
    "reply:laugh": {
        "es_ES": ("{laugh} muy real", "{laugh} no puedo", "{laugh} literal lo que me pasa a mí", "{laugh} me meo"),
        "es_LA": ("{laugh} muy real", "{laugh} no puedo", "{laugh} literal lo que me pasa a mí", "{laugh} me muero"),
        "en": ("{laugh} too real", "{laugh} not wrong", "{laugh} this is me", "{laugh} stop"),
        "pt": ("{laugh} real demais", "{laugh} morri", "{laugh} verdade", "{laugh} sou eu"),
    },
}

# What people answer, by what they answer to: (template group, weight). A complaint includes sarcasm.
REPLY_CHOICES: dict[str, tuple[tuple[str, float], ...]] = {
    "complaint": (("reply:metoo", 0.75), ("reply:contrary_praise", 0.25)),
    "question": (("reply:contrary_praise", 0.5), ("reply:answer_complaint", 0.5)),
    "praise": (("reply:agree_praise", 0.6), ("reply:envy_complaint", 0.4)),
    "joke": (("reply:laugh", 1.0),),
}
# News and comparisons draw quotes and retweets more than replies; replies go to these.
REPLYABLE_KINDS = ("complaint", "question", "praise", "joke")

ELONGATABLE_WORDS: dict[str, tuple[str, ...]] = {
    "es": ("no", "nada", "ya", "igual", "genial", "mismo"),
    "en": ("so", "no", "please", "why", "same", "love"),
    "pt": ("não", "gente", "sério", "amo", "socorro", "igual"),
}
ACCENTS_DROPPED_IN_CASUAL_TYPING = str.maketrans("áéíóúâêôãõàÁÉÍÓÚ", "aeiouaeoaoaAEIOU", "¿¡")

REDDIT_ADJECTIVES = ("Spare", "Quiet", "Salty", "Lazy", "Brave", "Fluffy", "Odd", "Grumpy", "Happy", "Tidy")
REDDIT_NOUNS = ("Tomato", "Penguin", "Router", "Llama", "Pancake", "Walrus", "Cactus", "Otter", "Biscuit", "Falcon")


@dataclass(frozen=True)
class Author:
    """Someone who posts: a handle, a display name and, on X, a follower count."""

    handle: str
    name: str
    followers: int


# Accounts with a large audience; their posts are the ones that travel.
NOTABLE_AUTHORS: dict[str, tuple[Author, ...]] = {
    "ES": (Author("martaibanez_tec", "Marta Ibáñez", 48200), Author("elcanaldelpablo", "Pablo en Directo", 129000)),
    "MX": (Author("danirojasmx", "Dani Rojas", 154000),),
    "BR": (Author("rafatechzao", "Rafa Techzão", 312000), Author("julianews_br", "Júlia Nogueira", 27400)),
    "UK": (Author("owenpryce_tech", "Owen Pryce", 21500), Author("gadgetgemma", "Gemma | Gadgets", 86000)),
}


@dataclass(frozen=True)
class PostPlan:
    """What a post is meant to be before its words are chosen: its template group and its ground truth."""

    group: str
    kind: str
    brand: str
    complaint: bool
    topic: str | None


@dataclass
class DemoPost:
    """One generated post, with the market and subreddit it came from so replies can stay in place."""

    plan: PostPlan
    region: Region
    source: str
    post_id: str
    author: Author
    author_reach: int
    text: str
    lang: str | None
    created_at: datetime
    subreddit: str | None = None
    parent: DemoPost | None = None
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0

    @property
    def conversation_id(self) -> str | None:
        """The id of the post that started this thread, for replies only."""
        if self.parent is None:
            return None
        return self.parent.conversation_id or self.parent.post_id

    @property
    def url(self) -> str:
        """Where the post lives on its source."""
        if self.source == "x":
            return f"https://x.com/{self.author.handle}/status/{self.post_id}"
        if self.parent is None:
            return f"https://www.reddit.com/r/{self.subreddit}/comments/{self.post_id}/"
        return f"https://www.reddit.com/r/{self.subreddit}/comments/{self.conversation_id}/comment/{self.post_id}/"

    def to_record(self) -> dict[str, object]:
        """Return the post in the replay format, fields in their documented order."""
        return {
            "source": self.source,
            "id": self.post_id,
            "url": self.url,
            "author_handle": self.author.handle,
            "author_name": self.author.name,
            "author_reach": self.author_reach,
            "text": self.text,
            "lang": self.lang,
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "likes": self.likes,
            "reposts": self.reposts,
            "replies": self.replies,
            "quotes": self.quotes,
            "conversation_id": self.conversation_id,
            "parent_id": self.parent.post_id if self.parent else None,
            "brand": self.plan.brand,
            "expected": {"complaint": self.plan.complaint, "topic": self.plan.topic, "kind": self.plan.kind},
        }


def _plans(count: int, group: str, kind: str, brand: str = LUMORA, complaint: bool = False) -> list[PostPlan]:
    topic = group.rsplit(":", 1)[1] if complaint else None
    return [PostPlan(group, kind, brand, complaint, topic) for _ in range(count)]


def _spread_over_topics(count: int, prefix: str, kind: str, topics: tuple[str, ...], brand: str = LUMORA,
                        ) -> list[PostPlan]:
    """Plans for ``count`` complaints cycling through ``topics`` so that every topic is represented."""
    return [plan for index in range(count) for plan in _plans(1, f"{prefix}:{topics[index % len(topics)]}", kind,
                                                              brand, complaint=True)]


def background_plans() -> list[PostPlan]:
    """The ordinary days' posts (everything but the burst and the replies), in a fixed order."""
    return [
        *_spread_over_topics(34, "complaint", "complaint", TOPICS),
        *_plans(60, "praise", "praise"),
        *_plans(52, "question", "question"),
        *_plans(36, "news", "news"),
        *_plans(28, "joke", "joke"),
        *_spread_over_topics(12, "sarcasm", "joke", ("outage", "speed", "billing", "support")),
        *_plans(24, "compare:pro_lumora", "competitor"),
        *_spread_over_topics(10, "compare:pro_vireo", "competitor", ("billing", "speed")),
        *_spread_over_topics(24, "vireo:complaint", "competitor", ("outage", "speed", "billing", "support",
                                                                   "installation"), brand=VIREO),
        *_plans(16, "vireo:praise", "competitor", brand=VIREO),
        *_plans(8, "vireo:news", "competitor", brand=VIREO),
    ]


# Language quotas: background roots, burst roots; replies follow their parent's language.
BACKGROUND_LANGUAGES = {"es": 137, "en": 91, "pt": 76}
BURST_LANGUAGES = {"es": 30, "en": 13, "pt": 13}
# The fibre outage is in Madrid, so Spanish complaints in the burst come mostly from Spain.
BURST_SPANISH_FROM_SPAIN = 0.8
BURST_OUTAGE_SHARE_OF_SPAIN = 0.5
BACKGROUND_REPLIES = 34
BURST_REPLIES = 6
REDDIT_SHARE = 0.28
UNREPORTED_LANGUAGE_SHARE = 0.05


class StreamBuilder:
    """Builds the stream from one random generator, so a seed fixes every choice."""

    def __init__(self, seed: int) -> None:
        self.rng = Random(seed)
        self.posts: list[DemoPost] = []
        self.texts: set[str] = set()
        self.ids: set[str] = set()
        self.handles: set[str] = set()
        self.authors: dict[tuple[str, str], list[Author]] = {}

    def build(self) -> list[DemoPost]:
        """Make the background, the burst and the replies, and return every post sorted by time."""
        plans = background_plans()
        languages = [lang for lang, count in BACKGROUND_LANGUAGES.items() for _ in range(count)]
        self.rng.shuffle(languages)
        for plan, lang in zip(plans, languages, strict=True):
            region = self._region_for(lang)
            self._add(plan, region, self._source(), self._everyday_moment(region))
        burst_posts = self._add_burst()
        background_roots = [post for post in self.posts if post.plan.brand == LUMORA and post not in burst_posts]
        self._add_replies(burst_posts, BURST_REPLIES, max_delay_minutes=12)
        self._add_replies(background_roots, BACKGROUND_REPLIES, max_delay_minutes=600)
        self._count_engagement()
        return sorted(self.posts, key=lambda post: (post.created_at, post.post_id))

    def _add_burst(self) -> list[DemoPost]:
        burst: list[DemoPost] = []
        for lang, count in BURST_LANGUAGES.items():
            for _ in range(count):
                from_spain = lang == "es" and self.rng.random() < BURST_SPANISH_FROM_SPAIN
                region = REGIONS["ES"] if from_spain else self._region_for(lang)
                topic = "outage" if region.code == "ES" and self.rng.random() < BURST_OUTAGE_SHARE_OF_SPAIN else "app"
                plan = PostPlan(f"burst:{topic}", "complaint", LUMORA, True, topic)
                minute = self._burst_minute()
                burst.append(self._add(plan, region, self._source(reddit_share=0.1),
                                       BURST_START + timedelta(minutes=minute)))
        return burst

    def _burst_minute(self) -> float:
        while True:
            minute = self.rng.gammavariate(BURST_ARRIVAL_SHAPE, BURST_ARRIVAL_SCALE)
            if minute < BURST_MINUTES:
                return minute

    def _add_replies(self, candidates: list[DemoPost], count: int, max_delay_minutes: int) -> None:
        latest_parent = WINDOW_END - timedelta(minutes=max_delay_minutes)
        parents = [post for post in candidates
                   if post.created_at < latest_parent and post.plan.kind in REPLYABLE_KINDS]
        for parent in self.rng.sample(parents, count):
            groups, weights = zip(*REPLY_CHOICES["complaint" if parent.plan.complaint else parent.plan.kind])
            group = self.rng.choices(groups, weights)[0]
            plan = self._reply_plan(group, parent)
            delay = timedelta(minutes=self.rng.uniform(1, max_delay_minutes))
            self._add(plan, parent.region, parent.source, parent.created_at + delay, parent=parent)

    @staticmethod
    def _reply_plan(group: str, parent: DemoPost) -> PostPlan:
        if group == "reply:metoo":
            return PostPlan(group, "complaint", LUMORA, True, parent.plan.topic)
        if group == "reply:answer_complaint":
            return PostPlan(group, "complaint", LUMORA, True, "billing")
        if group == "reply:envy_complaint":
            return PostPlan(group, "complaint", LUMORA, True, "speed")
        if group == "reply:laugh":
            return PostPlan(group, "joke", LUMORA, False, None)
        return PostPlan(group, "praise", LUMORA, False, None)

    def _add(self, plan: PostPlan, region: Region, source: str, moment: datetime,
             parent: DemoPost | None = None) -> DemoPost:
        moment = moment.replace(microsecond=0)
        author = self._author(region, source)
        if parent is None:
            subreddit, subscribers = self.rng.choice(region.subreddits)
        else:
            subreddit, subscribers = parent.subreddit, parent.author_reach
        post = DemoPost(
            plan=plan,
            region=region,
            source=source,
            post_id=self._post_id(source, moment),
            author=author,
            author_reach=author.followers if source == "x" else subscribers,
            text=self._text(plan, region, source, parent),
            lang=None if self.rng.random() < UNREPORTED_LANGUAGE_SHARE else region.lang,
            created_at=moment,
            subreddit=subreddit if source == "reddit" else None,
            parent=parent,
        )
        self.posts.append(post)
        return post

    def _source(self, reddit_share: float = REDDIT_SHARE) -> str:
        return "reddit" if self.rng.random() < reddit_share else "x"

    def _region_for(self, lang: str) -> Region:
        codes, weights = zip(*REGION_SHARES[lang])
        return REGIONS[self.rng.choices(codes, weights)[0]]

    def _everyday_moment(self, region: Region) -> datetime:
        """A moment in the window, more likely when people in ``region`` are awake and on their phones."""
        offset = timedelta(hours=region.utc_offset_hours)
        while True:
            local_day = WINDOW_START + offset + timedelta(days=self.rng.randrange(-1, 4))
            local_midnight = local_day.replace(hour=0, minute=0, second=0)
            hour = self.rng.choices(range(24), HOURLY_ACTIVITY)[0]
            local = local_midnight + timedelta(hours=hour, seconds=self.rng.randrange(3600))
            moment = local - offset
            if WINDOW_START <= moment <= WINDOW_END:
                return moment

    def _post_id(self, source: str, moment: datetime) -> str:
        while True:
            if source == "x":
                milliseconds = int(moment.timestamp() * 1000) + self.rng.randrange(1000)
                post_id = str(((milliseconds - X_EPOCH_MS) << 22) | self.rng.getrandbits(22))
            else:
                post_id = _base36(self.rng.randrange(36**6, 36**7))
            if post_id not in self.ids:
                self.ids.add(post_id)
                return post_id

    def _author(self, region: Region, source: str) -> Author:
        if source == "x" and region.code in NOTABLE_AUTHORS and self.rng.random() < 0.04:
            return self.rng.choice(NOTABLE_AUTHORS[region.code])
        known = self.authors.setdefault((region.code, source), [])
        if known and self.rng.random() < 0.2:
            return self.rng.choice(known)
        author = self._new_reddit_author() if source == "reddit" else self._new_x_author(region)
        known.append(author)
        return author

    def _new_x_author(self, region: Region) -> Author:
        first = self.rng.choice(region.first_names)
        last = self.rng.choice(region.last_names)
        name = self.rng.choices(
            (f"{first} {last}", f"{first} {last[0]}.", f"{first} {self.rng.choice(('🌻', '⚽', '✨', '🎧', '🐾'))}", first),
            (6, 2, 1, 1),
        )[0]
        plain_first, plain_last = _ascii(first).lower(), _ascii(last).lower()
        candidates = (f"{plain_first}_{plain_last}", f"{plain_first}{plain_last}{self.rng.randrange(10, 99)}",
                      f"{plain_first}{plain_last[:3]}", f"_{plain_first}{self.rng.randrange(1980, 2008)}")
        handle = self._unique_handle(self.rng.choice(candidates)[:15])
        if self.rng.random() < 0.06:
            followers = int(10 ** self.rng.uniform(3.3, 4.0))
        else:
            followers = int(10 ** self.rng.uniform(1.3, 3.3))
        return Author(handle, name, followers)

    def _new_reddit_author(self) -> Author:
        handle = self._unique_handle(
            f"{self.rng.choice(REDDIT_ADJECTIVES)}_{self.rng.choice(REDDIT_NOUNS)}_{self.rng.randrange(1000, 9999)}")
        return Author(handle, handle, 0)

    def _unique_handle(self, handle: str) -> str:
        while handle in self.handles:
            handle = f"{handle[:12]}{self.rng.randrange(100, 999)}"
        self.handles.add(handle)
        return handle

    def _text(self, plan: PostPlan, region: Region, source: str, parent: DemoPost | None) -> str:
        """Fill a template of ``plan``'s group until the text is one nobody has posted yet."""
        templates = TEMPLATES[plan.group]
        choices = templates.get(region.dialect) or templates[region.lang]
        for _ in range(200):
            text = self.rng.choice(choices).format_map(self._slots(region, source))
            if plan.kind != "news" and not plan.group.endswith("news"):
                text = self._roughen(text, region.lang)
            text = _tidy(text)
            if source == "x":
                if parent is not None:
                    text = f"@{parent.author.handle} {text}"
                text = text.replace("&", "&amp;")
            if text not in self.texts:
                self.texts.add(text)
                return text
        raise RuntimeError(f"templates of {plan.group!r} in {region.dialect} cannot make another distinct text")

    def _slots(self, region: Region, source: str) -> dict[str, str]:
        rng = self.rng
        on_x = source == "x"
        cheaper, dearer = sorted(rng.sample(region.prices, 2))
        words = {name: rng.choice(values) for name, values in LANGUAGE_WORDS[region.lang].items()}
        words.update({name: rng.choice(values) for name, values in region.words.items()})
        slots = {
            **words,
            "brand": rng.choice(("@lumora", LUMORA)) if on_x else LUMORA,
            "addressee": rng.choice(("@lumora", "@lumora_ayuda")) if on_x else LUMORA,
            "support": "@lumora_ayuda" if on_x else LUMORA,
            "rival": rng.choice(("@vireonet", VIREO, "Vireo")) if on_x else rng.choice((VIREO, "Vireo")),
            "city": rng.choice(region.cities),
            "first_name": rng.choice(region.first_names),
            "madrid_area": rng.choice(MADRID_AREAS),
            "amount": region.format_price(cheaper),
            "amount2": region.format_price(dearer),
            "paid": rng.choice(("300", "500", "600", "1000")),
            "got": str(rng.randrange(6, 95)),
            "got_high": str(rng.randrange(480, 940)),
            "minutes": str(rng.randrange(25, 125, 5)),
            "hours": str(rng.randrange(2, 15)),
            "days": str(rng.randrange(2, 10)),
            "weeks": str(rng.randrange(2, 7)),
            "months": str(rng.randrange(2, 19)),
            "years": str(rng.randrange(2, 13)),
            "n": str(rng.randrange(3, 7)),
            "order": f"LUM-{rng.randrange(10**6, 10**7)}",
            "link": self._link(on_x),
            # Tails speak of the burst that has just begun, so their minutes stay few.
            "tail": words["tail"].replace("{minutes}", str(rng.randrange(10, 35, 5))),
        }
        if not on_x:
            slots["tag"] = ""
        return slots

    def _link(self, on_x: bool) -> str:
        if self.rng.random() < 0.3:
            return ""
        alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        code = "".join(self.rng.choice(alphabet) for _ in range(10))
        return f"https://t.co/{code}" if on_x else f"https://i.redd.it/{code.lower()}.png"

    def _roughen(self, text: str, lang: str) -> str:
        """Type it like people do: sometimes all lower case, without accents, with a stretched word or a typo."""
        rng = self.rng
        if lang in ("es", "pt") and rng.random() < 0.2:
            text = _outside_links(text, lambda word: word.translate(ACCENTS_DROPPED_IN_CASUAL_TYPING))
        if rng.random() < 0.12:
            text = _outside_links(text, str.lower)
        if rng.random() < 0.12:
            text = _elongate(text, ELONGATABLE_WORDS[lang], rng.randrange(2, 5))
        if rng.random() < 0.06:
            text = _swap_letters(text, rng)
        return text

    def _count_engagement(self) -> None:
        """Give each post likes, reposts, replies and quotes in proportion to its audience."""
        children = Counter(post.parent.post_id for post in self.posts if post.parent)
        for post in self.posts:
            if post.source == "x":
                post.likes = int(post.author_reach ** 0.5 * self.rng.lognormvariate(-1.2, 1.0))
                post.reposts = int(post.likes * self.rng.uniform(0, 0.3))
                post.quotes = int(post.reposts * self.rng.uniform(0, 0.3))
                post.replies = int(post.likes * self.rng.uniform(0, 0.2))
            else:
                post.likes = int(self.rng.lognormvariate(1.5, 1.2))
                post.replies = int(self.rng.lognormvariate(0.8, 1.0)) if post.parent is None else 0
            post.replies = max(post.replies, children[post.post_id])


def _ascii(name: str) -> str:
    return name.translate(str.maketrans("áéíóúñãõâêôçüÁÉÍÓÚÑ", "aeiounaoaeocuAEIOUN"))


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
    return text


def _outside_links(text: str, change: Callable[[str], str]) -> str:
    """Apply ``change`` to every word but links, handles and hashtags, which people don't retype."""
    return " ".join(word if word.startswith(("http", "@", "#")) else change(word) for word in text.split(" "))


def _elongate(text: str, words: tuple[str, ...], extra: int) -> str:
    """Stretch the first of ``words`` found in ``text`` by repeating its last letter ("so" → "sooo")."""
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)
    return pattern.sub(lambda match: match.group(1) + match.group(1)[-1] * extra, text, count=1)


def _swap_letters(text: str, rng: Random) -> str:
    """Swap two neighbouring letters in one longer word, the commonest typo on a phone keyboard."""
    words = text.split(" ")
    candidates = [index for index, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    at = rng.randrange(1, len(word) - 2)
    words[index] = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return " ".join(words)


def _tidy(text: str) -> str:
    """Remove the gaps left by empty slots."""
    text = re.sub(r" {2,}", " ", text).strip()
    return re.sub(r" ([.,!?])", r"\1", text)


def build_stream(seed: int = SEED) -> list[dict[str, object]]:
    """Return the demo stream as replay records sorted by ``created_at``.

    >>> records = build_stream()
    >>> records[0]["created_at"] <= records[-1]["created_at"]
    True
    """
    return [post.to_record() for post in StreamBuilder(seed).build()]


def generate(path: Path | str = STREAM_PATH, seed: int = SEED) -> int:
    """Write the demo stream to ``path`` as JSON lines and return how many posts it holds.

    >>> generate("/tmp/stream.jsonl")  # doctest: +SKIP
    400
    """
    records = build_stream(seed)
    lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    Path(path).write_text(lines, encoding="utf-8", newline="\n")
    return len(records)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m listener.demo.generate [--output PATH] [--seed N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=STREAM_PATH, help="where to write the JSONL stream")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the random choices")
    arguments = parser.parse_args(argv)
    count = generate(arguments.output, arguments.seed)
    print(f"wrote {count} posts to {arguments.output}")


if __name__ == "__main__":
    main()
