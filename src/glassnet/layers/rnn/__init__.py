"""Recurrent layers: RNN(cell), SimpleRNN, LSTM, GRU, ConvLSTM1D/2D, their cells and StackedRNNCells."""

from glassnet.layers.rnn.conv_lstm import ConvLSTM1D, ConvLSTM2D
from glassnet.layers.rnn.gru import GRU, GRUCell
from glassnet.layers.rnn.lstm import LSTM, LSTMCell
from glassnet.layers.rnn.rnn import RNN
from glassnet.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from glassnet.layers.rnn.stacked_rnn_cells import StackedRNNCells
