"""Every word the web pages show, per locale: one dict each, the same keys in both.

Pages name a message by key (`t("sign_in")` in a template, `message(locale, key)` in
Python); `{name}` fields are filled by `str.format`. Labels of claim values (statuses,
categories) come from `claimdesk.core.wording.label`, as in the e-mails.
"""

from __future__ import annotations

from api.web.console_words import WORDS as CONSOLE_WORDS
from claimdesk.core.domain import Locale

MESSAGES: dict[Locale, dict[str, str]] = {
    Locale.EN: {
        "app_name": "claimdesk",
        "app_tagline": "Claim center",
        "skip_to_content": "Skip to main content",
        "language": "Language",
        "language_change": "Change language",
        "signed_in_as": "Signed in as {email}",
        "sign_out": "Sign out",
        "role_customer": "customer",
        "role_merchant": "merchant {merchant_id}",
        "role_operator": "operator",
        # sign-in
        "sign_in_title": "Sign in",
        "email_label": "E-mail address",
        "email_hint": (
            "Customers: the address used for the purchase. Merchants: the shop's contact "
            "address. Operators: your own."
        ),
        "password_label": "Password",
        "sign_in_button": "Sign in",
        "first_visit_question": "First visit, or forgotten your password?",
        "first_visit_action": "Get a link to set your password",
        "error_summary": "There is a problem",
        "error_title_prefix": "Error: ",
        "err_credentials": "Wrong e-mail address or password.",
        "err_email": "Enter an e-mail address such as ana@example.com.",
        "err_password_empty": "Enter your password.",
        "err_merchant_terminated": (
            "This merchant account is terminated: it cannot sign in until the platform "
            "reinstates it."
        ),
        "signed_out": "You are signed out.",
        # one-time links
        "link_title": "First visit or forgotten password",
        "link_intro": (
            "Enter your e-mail address and we will send you a link to set your password. "
            "The link works once, for {minutes} minutes."
        ),
        "link_button": "Send me a link",
        "link_sent_title": "Check your e-mail",
        "link_sent": (
            "If this address is known to us, a link to set your password has been sent to it. "
            "It works once, for {minutes} minutes."
        ),
        "back_to_sign_in": "Back to sign-in",
        "set_password_title": "Set your password",
        "set_password_for": "For {email}.",
        "new_password_label": "New password",
        "new_password_hint": "At least {min} characters. A long phrase is easy to remember.",
        "confirm_password_label": "Repeat the new password",
        "set_password_button": "Set the password and sign in",
        "err_password_short": "The password needs at least {min} characters.",
        "err_password_long": "The password may have at most {max} characters.",
        "err_password_mismatch": "The two passwords are not the same.",
        "link_invalid_title": "This link no longer works",
        "link_invalid": (
            "It was already used, or it expired, or it was copied incompletely. Ask for a new one."
        ),
        # refusals
        "csrf_title": "This form was refused",
        "csrf_body": (
            "It was out of date, or it did not come from this site's own page. Nothing was "
            "changed. Go back, reload the page and try again."
        ),
        "too_many_title": "Too many attempts",
        "too_many_body": "For your security, wait a minute before trying again.",
        "problem_404_title": "Page not found",
        "problem_404_body": "This page does not exist, or it is not yours to see.",
        "problem_405_title": "Page not found",
        "problem_405_body": "This address cannot be opened this way.",
        "problem_409_title": "Not possible now",
        "problem_409_body": (
            "This action does not fit the claim as it stands now. Nothing was changed."
        ),
        "problem_413_title": "Too much sent at once",
        "problem_413_body": (
            "What you sent is larger than any form here takes. Nothing was changed: go back, "
            "shorten it and try again."
        ),
        "problem_429_title": "Too many requests",
        "problem_429_body": (
            "You sent too many of these in a short time. Nothing was changed: wait a minute, "
            "then try again."
        ),
        "problem_503_title": "Temporarily unavailable",
        "problem_503_body": "The service is busy or restarting. Try again in a moment.",
        "problem_4xx_title": "This request was refused",
        "problem_4xx_body": "Nothing was changed. Go back and check what you entered.",
        "problem_5xx_title": "Something went wrong",
        "problem_5xx_body": "Nothing was changed. Try again in a moment.",
        # home
        "home_title": "Your space",
        "home_customer": "Your purchases and your claims will be listed here.",
        "home_merchant": "The claims against your shop will be listed here.",
        "home_operator": "The claim queues will be listed here.",
        # the e-mail with the link
        "mail_subject": "Your link to set your claimdesk password",
        "mail_body": (
            "Hello,\n\n"
            "Someone (we hope you) asked to set the password of the claimdesk account of "
            "{email}. Open this link to choose it:\n\n{link}\n\n"
            "The link works once, for {minutes} minutes. If you did not ask for it, ignore "
            "this e-mail: nothing changes.\n\n"
            "The claimdesk claim center\n{home}\n"
        ),
    },
    Locale.FR: {
        "app_name": "claimdesk",
        "app_tagline": "Centre de réclamations",
        "skip_to_content": "Aller au contenu principal",
        "language": "Langue",
        "language_change": "Changer de langue",
        "signed_in_as": "Connecté·e : {email}",
        "sign_out": "Se déconnecter",
        "role_customer": "client·e",
        "role_merchant": "marchand {merchant_id}",
        "role_operator": "opérateur",
        "sign_in_title": "Connexion",
        "email_label": "Adresse e-mail",
        "email_hint": (
            "Clients : l'adresse utilisée pour l'achat. Marchands : l'adresse de contact de "
            "la boutique. Opérateurs : la vôtre."
        ),
        "password_label": "Mot de passe",
        "sign_in_button": "Se connecter",
        "first_visit_question": "Première visite, ou mot de passe oublié ?",
        "first_visit_action": "Recevoir un lien pour choisir votre mot de passe",
        "error_summary": "Il y a un problème",
        "error_title_prefix": "Erreur : ",
        "err_credentials": "Adresse e-mail ou mot de passe incorrect.",
        "err_email": "Saisissez une adresse e-mail, par exemple ana@example.com.",
        "err_password_empty": "Saisissez votre mot de passe.",
        "err_merchant_terminated": (
            "Ce compte marchand est résilié : il ne peut pas se connecter tant que la "
            "plateforme ne l'a pas rétabli."
        ),
        "signed_out": "Vous êtes déconnecté·e.",
        "link_title": "Première visite ou mot de passe oublié",
        "link_intro": (
            "Saisissez votre adresse e-mail : nous vous envoyons un lien pour choisir votre "
            "mot de passe. Le lien ne sert qu'une fois, pendant {minutes} minutes."
        ),
        "link_button": "M'envoyer un lien",
        "link_sent_title": "Consultez vos e-mails",
        "link_sent": (
            "Si nous connaissons cette adresse, un lien pour choisir votre mot de passe vient "
            "d'y être envoyé. Il ne sert qu'une fois, pendant {minutes} minutes."
        ),
        "back_to_sign_in": "Retour à la connexion",
        "set_password_title": "Choisissez votre mot de passe",
        "set_password_for": "Pour {email}.",
        "new_password_label": "Nouveau mot de passe",
        "new_password_hint": (
            "Au moins {min} caractères. Une longue phrase se retient facilement."
        ),
        "confirm_password_label": "Répétez le nouveau mot de passe",
        "set_password_button": "Enregistrer le mot de passe et se connecter",
        "err_password_short": "Le mot de passe doit compter au moins {min} caractères.",
        "err_password_long": "Le mot de passe ne peut dépasser {max} caractères.",
        "err_password_mismatch": "Les deux mots de passe ne sont pas identiques.",
        "link_invalid_title": "Ce lien ne fonctionne plus",
        "link_invalid": (
            "Il a déjà servi, ou il a expiré, ou il a été copié incomplètement. "
            "Demandez-en un nouveau."
        ),
        "csrf_title": "Ce formulaire a été refusé",
        "csrf_body": (
            "Il était périmé, ou il ne venait pas d'une page de ce site. Rien n'a été "
            "modifié. Revenez en arrière, rechargez la page et réessayez."
        ),
        "too_many_title": "Trop de tentatives",
        "too_many_body": "Pour votre sécurité, attendez une minute avant de réessayer.",
        "problem_404_title": "Page introuvable",
        "problem_404_body": "Cette page n'existe pas, ou elle ne vous est pas destinée.",
        "problem_405_title": "Page introuvable",
        "problem_405_body": "Cette adresse ne s'ouvre pas de cette façon.",
        "problem_409_title": "Impossible pour le moment",
        "problem_409_body": (
            "Cette action ne correspond pas à l'état actuel de la réclamation. Rien n'a été "
            "modifié."
        ),
        "problem_413_title": "Envoi trop volumineux",
        "problem_413_body": (
            "Ce que vous avez envoyé dépasse ce que nos formulaires acceptent. Rien n'a été "
            "modifié : revenez en arrière, raccourcissez et réessayez."
        ),
        "problem_429_title": "Trop de demandes",
        "problem_429_body": (
            "Vous en avez envoyé trop en peu de temps. Rien n'a été modifié : attendez une "
            "minute, puis réessayez."
        ),
        "problem_503_title": "Momentanément indisponible",
        "problem_503_body": ("Le service est surchargé ou redémarre. Réessayez dans un instant."),
        "problem_4xx_title": "Cette demande a été refusée",
        "problem_4xx_body": "Rien n'a été modifié. Revenez en arrière et vérifiez votre saisie.",
        "problem_5xx_title": "Une erreur est survenue",
        "problem_5xx_body": "Rien n'a été modifié. Réessayez dans un instant.",
        "home_title": "Votre espace",
        "home_customer": "Vos achats et vos réclamations seront listés ici.",
        "home_merchant": "Les réclamations visant votre boutique seront listées ici.",
        "home_operator": "Les files de réclamations seront listées ici.",
        "mail_subject": "Votre lien pour choisir votre mot de passe claimdesk",
        "mail_body": (
            "Bonjour,\n\n"
            "Quelqu'un (vous, espérons-le) a demandé à choisir le mot de passe du compte "
            "claimdesk de {email}. Ouvrez ce lien pour le choisir :\n\n{link}\n\n"
            "Le lien ne sert qu'une fois, pendant {minutes} minutes. Si vous n'avez rien "
            "demandé, ignorez cet e-mail : rien ne change.\n\n"
            "Le centre de réclamations claimdesk\n{home}\n"
        ),
    },
}

# Each space's words in their own module, kept apart from these (none may overlap).
from api.web.party_words import PARTY_MESSAGES  # noqa: E402

for _words_of_space in (PARTY_MESSAGES, CONSOLE_WORDS):
    for _locale, _words in _words_of_space.items():
        assert not set(_words) & set(MESSAGES[_locale]), "a space's word key is taken"
        MESSAGES[_locale].update(_words)


def message(locale: Locale, key: str, **fields: object) -> str:
    """The message `key` in `locale`, its `{fields}` filled; a missing key fails loudly."""
    text = MESSAGES[locale][key]
    return text.format(**fields) if fields else text


def best_locale(accept_language: str | None) -> Locale:
    """The first of the browser's languages (by q-value) that claimdesk speaks; English else."""
    choices: list[tuple[float, int, Locale]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in {locale.value for locale in Locale} and quality > 0:
            choices.append((-quality, index, Locale(primary)))
    return min(choices)[2] if choices else Locale.EN
