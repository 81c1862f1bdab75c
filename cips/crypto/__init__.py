"""Cryptography of encrypted campaigns, on ``cryptography`` only: a leaf that imports nothing of CIPS.

``seal.py``: the campaign key pair and the envelope of a submission (RSA-OAEP + AES-GCM);
``keyfile.py``: the passphrase protection of the private key file (PKCS#8 with scrypt).
The rules around them (the passphrase rule, a campaign's encryption settings) are services'.
"""
