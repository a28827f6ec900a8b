from glassnet.layers.wrappers.bidirectional import Bidirectional
from glassnet.layers.wrappers.time_distributed import TimeDistributed
from glassnet.layers.wrappers.wrapper import Wrapper
