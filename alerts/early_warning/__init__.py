"""Early warning: complaint spikes caught while they rise, incidents, and complaints that spread.

``spike`` says whether a series of complaint times is spiking now; ``incidents`` groups complaints
that say the same thing (across languages) into incidents; ``spread`` finds complaints whose
engagement grows fast; ``job`` turns all three into alerts in the outbox, once per step.
"""
